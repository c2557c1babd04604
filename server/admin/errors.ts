import type { z } from "zod";

/** An admin API failure with its HTTP status; `code` is a stable machine-readable name. */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "AdminError";
  }
}

export const notFound = (what: string) => new AdminError(404, "not_found", `${what} not found`);

/** Parse admin input with a zod schema; a bad body is a 400 listing every problem. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`);
    throw new AdminError(400, "invalid_body", `Invalid request: ${problems.join("; ")}`, problems);
  }
  return r.data;
}
