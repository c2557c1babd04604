import type { z } from "zod";
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
    const field = issue.path.length > 0 ? String(issue.path[0]) : "";
    const message =
      issue.code === "unrecognized_keys" ? `unknown field(s): ${issue.keys.join(", ")}` : issue.message;
    problems.push(`${issue.path.join(".") || "body"}: ${message}`);
    if (field && !fields[field]) fields[field] = message;
  }
  throw AdminError.invalid(problems.join("; "), { fields });
}
