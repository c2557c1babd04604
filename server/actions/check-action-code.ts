import type { TDeps } from "../config/deps.ts";

export type TActionCodeProblem = { message: string; line?: number; column?: number };

/**
 * Whether an action's module code compiles, checked in the sandbox exactly as a login compiles it (never evaluated
 * in the server). The sandbox's Function constructor names no place, so the code is compiled once more as the
 * body of a function expression to find the line and column the editor marks.
 */
export async function checkActionCode(
  deps: Pick<TDeps, "rules">,
  code: string,
): Promise<TActionCodeProblem | null> {
  const verdict = await deps.rules.runner.checkAction(code);
  if (verdict.ok) return null;
  const located = await deps.rules.runner.check(`function (exports, module, require) {\n${code}\n}`);
  // The place is [rule.js:line:column] in `(function … {\n<code>\n})`: line 2 is the code's first.
  const at = located.ok ? null : /\[rule\.js:(\d+):(\d+)\]\s*$/.exec(located.message);
  if (!at) return { message: verdict.message };
  return {
    message: verdict.message,
    line: Math.max(1, Number(at[1]) - 1),
    column: Math.max(1, Number(at[2])),
  };
}
