import { z } from "zod";
import type { TDeps } from "../../config/deps.ts";
import { AdminError } from "../admin-error.ts";

/** Auth0 rule names: letters, digits, spaces and hyphens, not starting or ending with a space or hyphen. */
export const ZRuleName = z
  .string()
  .min(1)
  .max(255)
  .regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9 -]*[A-Za-z0-9])?$/,
    "must be letters, digits, spaces and hyphens, not starting or ending with a space or hyphen",
  );

/** Auth0 recommends keeping all rule code under 100 kB; one rule may not exceed it. */
export const ZRuleScript = z
  .string()
  .min(1)
  .max(100 * 1024);

export { REDIRECT_WITHOUT_PROTOCOL_WARNING, ruleWarnings } from "./rule-warnings.ts";

/** Refuse a script that does not compile (checked in the sandbox, never evaluated in the server). */
export async function assertRuleCompiles(deps: TDeps, script: string): Promise<void> {
  const r = await deps.rules.runner.check(script);
  if (!r.ok) {
    // The sandbox names the place as [rule.js:line:column] in the script wrapped as `(script)`: line 1 is one column
    // to the right. The editor marks that place.
    const at = /\[rule\.js:(\d+):(\d+)\]\s*$/.exec(r.message);
    const line = Number(at?.[1]);
    const column = Number(at?.[2]) - (line === 1 ? 1 : 0);
    throw AdminError.invalid(`The script does not compile: ${r.message}`, {
      code: "invalid_script",
      details: at ? { line, column: Math.max(column, 1) } : undefined,
    });
  }
}
