import type { z } from "zod";
import { formatProblem, zodProblems } from "../../platform/zod-issues.ts";
import { AdminError } from "../admin-error.ts";

/**
 * Parse actions API input with a zod schema; a bad body is a 400 listing every problem, and in `details` each
 * problem with the field it is about (`{ path: "secrets[0].name", message }`) so the editor can show it there.
 */
export function parseActionsInput<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  if (!input || typeof input !== "object" || Array.isArray(input))
    throw AdminError.invalid("The request body must be a JSON object.");
  const r = schema.safeParse(input);
  if (!r.success) {
    const problems = zodProblems(r.error);
    throw AdminError.invalid(`Invalid request: ${problems.map(formatProblem).join("; ")}`, {
      details: problems,
    });
  }
  return r.data;
}

/** A version number from a route segment (`/versions/{number}/…`): a positive integer, else a 400. */
export function parseVersionNumber(segment: string): number {
  const n = /^[1-9][0-9]{0,8}$/.test(segment) ? Number(segment) : NaN;
  if (!Number.isSafeInteger(n))
    throw AdminError.invalid(`"${segment.slice(0, 20)}" is not a version number`, {
      details: [{ path: "number", message: "must be a positive integer" }],
    });
  return n;
}
