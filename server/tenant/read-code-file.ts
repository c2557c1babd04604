import { readFile, realpath, stat } from "node:fs/promises";
import { isAbsolute, relative, resolve } from "node:path";

export type TCodeFile = { ok: true; text: string } | { ok: false; message: string };

/** Whether `target` is `root` itself or lies under it (both absolute and resolved). */
function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

/**
 * Read a code file a tenant file names (`./actions/<name>/code.js`, `./rules/<name>.js`) relative to the tenant
 * file's directory, refusing any path that leaves that directory, directly (`../../etc/passwd`, an absolute path
 * elsewhere) or through a symbolic link. auth0-deploy-cli only warns about such paths ("will be blocked as an error
 * in the next major release"); an import runs with the server's rights, so here they are an error. Backslashes
 * are read as separators, as the deploy CLI does, so a file written on Windows imports anywhere.
 */
export async function readCodeFile(baseDir: string | undefined, ref: string): Promise<TCodeFile> {
  if (ref.includes("\n"))
    return { ok: false, message: "must be the path of a code file beside the tenant file, not the code" };
  if (!baseDir) return { ok: false, message: "a code file needs the tenant file's directory" };
  const path = ref.trim().replace(/\\/g, "/");
  let root: string;
  try {
    root = await realpath(baseDir);
  } catch {
    return { ok: false, message: "the tenant file's directory cannot be read" };
  }
  const outside = { ok: false, message: `${path} is outside the tenant file's directory` } as const;
  const target = resolve(root, path);
  if (!isInside(root, target)) return outside;
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    return { ok: false, message: `cannot read ${path}` };
  }
  if (!isInside(root, real)) return outside;
  try {
    if (!(await stat(real)).isFile()) return { ok: false, message: `${path} is not a file` };
    return { ok: true, text: await readFile(real, "utf8") };
  } catch {
    return { ok: false, message: `cannot read ${path}` };
  }
}
