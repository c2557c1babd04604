import { decodeJwt, type JWTPayload } from "jose";
import type { TDeps } from "../config/deps.ts";
import { createRule } from "../admin/rules/create-rule.ts";
import type { TTokenResult } from "./token-calls.ts";
import { deleteAllRules } from "../store/rules.ts";
import { deleteAllRuleSettings } from "../store/rule-settings.ts";
import { clearRulesAllowedHosts } from "../store/tenant.ts";

/** Short limits so hostile-rule tests stay fast; production defaults are in env.ts. */
export const RULES_TEST_ENV = {
  RULES_RULE_TIMEOUT_MS: "400",
  RULES_PIPELINE_TIMEOUT_MS: "1500",
  RULES_MEMORY_LIMIT_MB: "16",
};

/** The admin the rules tests act as (their changes are audited under this name). */
export const TEST_RULES_ADMIN = {
  id: "adm_rules_test",
  email: "rules-test@portcullis.test",
  role: "owner",
} as const;

/** Remove every rule, setting and fetch host (between tests). */
export async function resetRules(deps: TDeps): Promise<void> {
  await deleteAllRules(deps.db);
  await deleteAllRuleSettings(deps.db);
  await clearRulesAllowedHosts(deps.db, deps.clock.now());
  deps.rules.clear();
}

/** Save rules through the admin use case, in the given order. */
export async function addRules(deps: TDeps, ...rules: { name: string; script: string; enabled?: boolean }[]) {
  const out = [];
  for (const r of rules) out.push((await createRule(deps, TEST_RULES_ADMIN, r)).rule);
  return out;
}

/** Claims of the ID token and access token of a successful token response. */
export function tokenClaims(res: TTokenResult): { id: JWTPayload; access: JWTPayload } {
  if (res.status !== 200) throw new Error(`expected 200, got ${res.status} ${JSON.stringify(res.body)}`);
  return {
    id: typeof res.body.id_token === "string" ? decodeJwt(res.body.id_token) : {},
    access: decodeJwt(String(res.body.access_token)),
  };
}

/** The rules section of the one audit record a token request wrote. */
export function rulesAudit(res: TTokenResult): {
  ran: { name: string; outcome: string; duration_ms: number }[];
  error?: { rule: string | null; kind: string; reason: string };
  dropped_claims?: string[];
  multifactor?: { rule: string | null };
  warnings?: string[];
} {
  if (res.logs.length !== 1) throw new Error(`expected one audit record, got ${res.logs.length}`);
  const rules = res.logs[0]?.details?.rules;
  if (!rules) throw new Error(`no rules in the audit record: ${JSON.stringify(res.logs[0]?.details)}`);
  return rules as ReturnType<typeof rulesAudit>;
}
