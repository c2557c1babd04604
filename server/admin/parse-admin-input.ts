import type { z } from "zod";
import { formatProblem, problemOf } from "../platform/zod-issues.ts";
import { AdminError } from "./admin-error.ts";

/**
 * Parse a dashboard form's JSON with `schema`. A refusal lists every problem in its message and, per top-level
 * field, the first problem, so the form can show it next to the control.
 */
export function parseAdminInput<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  if (!body || typeof body !== "object" || Array.isArray(body))
    throw AdminError.invalid("The request body must be a JSON object.");
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const fields: Record<string, string> = {};
  const problems: string[] = [];
  for (const issue of r.error.issues) {
    const problem = problemOf(issue);
    const field = issue.path.length > 0 ? String(issue.path[0]) : "";
    problems.push(formatProblem(problem));
    if (field && !fields[field]) fields[field] = problem.message;
  }
  throw AdminError.invalid(problems.join("; "), { fields });
}
