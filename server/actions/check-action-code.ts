import type { TDeps } from "../config/deps.ts";

export type TActionCodeProblem = { message: string; line?: number; column?: number };

/**
 * Whether an action's module code compiles, checked in the sandbox (never evaluated in the server). The code is
 * compiled as the body of the function the runtime wraps it in, so the line numbers are the code's own.
 */
export async function checkActionCode(
  deps: Pick<TDeps, "rules">,
  code: string,
): Promise<TActionCodeProblem | null> {
  const r = await deps.rules.runner.check(`function (exports, module, require) {\n${code}\n}`);
  if (r.ok) return null;
  // The sandbox names the place as [rule.js:line:column] in `(function … {\n<code>\n})`: line 2 is the code's first.
  const at = /\[rule\.js:(\d+):(\d+)\]\s*$/.exec(r.message);
  if (!at) return { message: r.message };
  const line = Math.max(1, Number(at[1]) - 1);
  return {
    message: r.message.replace(/\s*\[rule\.js:\d+:\d+\]\s*$/, ""),
    line,
    column: Math.max(1, Number(at[2])),
  };
}
