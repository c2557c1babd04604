import type { TDeps } from "../../config/deps.ts";
import { checkActionCode } from "../../actions/check-action-code.ts";
import { AdminError } from "../admin-error.ts";

/**
 * Refuse code that does not compile (checked in the sandbox, never evaluated in the server), with the place of the
 * error in `details` so the editor marks it.
 */
export async function assertActionCompiles(deps: Pick<TDeps, "rules">, code: string): Promise<void> {
  const problem = await checkActionCode(deps, code);
  if (!problem) return;
  throw AdminError.invalid(`The code does not compile: ${problem.message}`, {
    code: "invalid_code",
    details: {
      path: "code",
      message: problem.message,
      ...(problem.line !== undefined ? { line: problem.line, column: problem.column ?? 1 } : {}),
    },
  });
}
