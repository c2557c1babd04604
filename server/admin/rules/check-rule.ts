import { z } from "zod";
import type { TDeps } from "../../config/deps.ts";
import { AdminError } from "../errors.ts";

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

export const REDIRECT_WITHOUT_PROTOCOL_WARNING =
  "This rule sets context.redirect without checking context.protocol. Redirects are not possible for password " +
  "and refresh-token logins: those logins will fail with access_denied. Skip the redirect when context.protocol " +
  "is 'oauth2-password', 'oauth2-refresh-token' or 'oauth2-resource-owner'.";

/** Static warnings shown when a rule is saved (the rule is saved anyway). */
export function ruleWarnings(script: string): string[] {
  const warnings: string[] = [];
  if (/context\s*\.\s*redirect\s*=(?!=)|context\s*\[\s*['"]redirect['"]\s*\]\s*=(?!=)/.test(script)) {
    if (!/context\s*\.\s*protocol|context\s*\[\s*['"]protocol['"]\s*\]/.test(script))
      warnings.push(REDIRECT_WITHOUT_PROTOCOL_WARNING);
  }
  return warnings;
}

/** Refuse a script that does not compile (checked in the sandbox, never evaluated in the server). */
export async function assertRuleCompiles(deps: TDeps, script: string): Promise<void> {
  const r = await deps.rules.runner.check(script);
  if (!r.ok) throw new AdminError(400, "invalid_script", `The script does not compile: ${r.message}`);
}
