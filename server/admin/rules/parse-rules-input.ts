import type { z } from "zod";
import { formatProblem, zodProblems } from "../../platform/zod-issues.ts";
import { AdminError } from "../admin-error.ts";

/** Parse rules API input with a zod schema; a bad body is a 400 listing every problem (also as `details`). */
export function parseRulesInput<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const problems = zodProblems(r.error).map(formatProblem);
    throw AdminError.invalid(`Invalid request: ${problems.join("; ")}`, { details: problems });
  }
  return r.data;
}
