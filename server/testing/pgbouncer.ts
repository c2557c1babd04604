import { spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/**
 * The pgbouncer binary, or null. Debian installs it in /usr/sbin, which is not on a normal user's PATH.
 * PGBOUNCER names another (or, naming nothing executable, none).
 */
export function findPgBouncer(): string | null {
  const candidates = process.env.PGBOUNCER
    ? [process.env.PGBOUNCER]
    : [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin", "/sbin"]
        .filter(Boolean)
        .map((dir) => join(dir, "pgbouncer"));
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

export type TPgBouncer = {
  /** `url` (a database on the PostgreSQL server the pooler fronts) rewritten to go through the pooler. */
  urlFor(url: string): string;
  /** Stop the process and remove its files; safe to call twice. */
  stop(): Promise<void>;
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * A PgBouncer process of its own (tests): transaction pooling on a free loopback port in front of the PostgreSQL
 * server `serverUrl` points at, every database name passed through, no client authentication (the server's own
 * trust, or the password in `serverUrl`). By default it refuses unknown startup parameters such as `options`, as
 * a stock PgBouncer does; `ignoreStartupParameters` lists those to accept and drop.
 */
export async function startPgBouncer(
  serverUrl: string,
  opts: { binary?: string; ignoreStartupParameters?: string[] } = {},
): Promise<TPgBouncer> {
  const binary = opts.binary ?? findPgBouncer();
  if (!binary) throw new Error("pgbouncer is not installed");
  const server = new URL(serverUrl);
  const user = decodeURIComponent(server.username || "postgres");
  const dir = mkdtempSync(join(tmpdir(), "portcullis-pgbouncer-"));
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  // With auth_type = trust the user must still be listed; its password (if any) is what PgBouncer logs in with.
  writeFileSync(join(dir, "users.txt"), `${quote(user)} ${quote(decodeURIComponent(server.password))}\n`);
  let lastError: Error | undefined;
  // The free port can be taken between the probe and PgBouncer's bind: try another.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const ini = [
      "[databases]",
      `* = host=${server.hostname || "127.0.0.1"} port=${server.port || "5432"}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "auth_type = trust",
      `auth_file = ${join(dir, "users.txt")}`,
      "pool_mode = transaction",
      ...(opts.ignoreStartupParameters?.length
        ? [`ignore_startup_parameters = ${opts.ignoreStartupParameters.join(",")}`]
        : []),
    ].join("\n");
    writeFileSync(join(dir, "pgbouncer.ini"), ini + "\n");
    // PgBouncer will not run as root; it reads its files first, then switches to the user -u names.
    const args = [...(process.getuid?.() === 0 ? ["-u", "nobody"] : []), join(dir, "pgbouncer.ini")];
    const proc = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`pgbouncer did not start:\n${output}`)), 10_000);
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes(`listening on 127.0.0.1:${port}`)) {
            clearTimeout(timer);
            resolve();
          }
        };
        proc.stdout.on("data", onData);
        proc.stderr.on("data", onData);
        proc.once("exit", (code) => {
          clearTimeout(timer);
          reject(new Error(`pgbouncer exited with ${code}:\n${output}`));
        });
        proc.once("error", reject);
      });
    } catch (err) {
      lastError = err as Error;
      proc.kill("SIGKILL");
      await exited;
      continue;
    }
    let stopped: Promise<void> | undefined;
    return {
      urlFor(url: string) {
        const u = new URL(url);
        u.hostname = "127.0.0.1";
        u.port = String(port);
        return u.toString();
      },
      stop() {
        stopped ??= (async () => {
          // SIGTERM: immediate shutdown, open client connections are dropped.
          if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
          await exited;
          rmSync(dir, { recursive: true, force: true });
        })();
        return stopped;
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError ?? new Error("pgbouncer did not start");
}
