import type { z } from "zod";

/** One validation problem: where (`clients[2].name`, empty at the top level) and what. */
export type TProblem = { path: string; message: string };

/** `["clients", 2, "name"]` → `clients[2].name`; the empty path → "". */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/**
 * The problem a zod issue describes, its path under `base` (where the parsed value sits in a larger document).
 * Unknown keys are named as fields, in the words of the dashboard and the importers.
 */
export function problemOf(issue: z.core.$ZodIssue, base: readonly PropertyKey[] = []): TProblem {
  const path = formatIssuePath([...base, ...issue.path]);
  if (issue.code === "unrecognized_keys") {
    const s = issue.keys.length > 1 ? "s" : "";
    return { path, message: `unknown field${s} ${issue.keys.map((k) => `"${k}"`).join(", ")}` };
  }
  return { path, message: issue.message };
}

/** Every problem of a failed parse, in zod's order; paths start at `base`. */
export function zodProblems(error: z.ZodError, base: readonly PropertyKey[] = []): TProblem[] {
  return error.issues.map((issue) => problemOf(issue, base));
}

/** `clients[2].name: Too small…`, or the bare message for a problem with the whole value. */
export function formatProblem(p: TProblem): string {
  return p.path ? `${p.path}: ${p.message}` : p.message;
}

/** Every problem of a failed parse on one line, `; `-separated. */
export function formatZodIssues(error: z.ZodError): string {
  return zodProblems(error).map(formatProblem).join("; ");
}
