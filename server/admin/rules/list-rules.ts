import type { TDeps } from "../../config/deps.ts";
import { findRule, listRules as listRuleRows } from "../../store/rules.ts";
import { AdminError } from "../admin-error.ts";
import { ruleWarnings } from "./check-rule.ts";
import { toRuleJson, type TRulesActor } from "./rule-json.ts";
import { assertAdminAllowed } from "../admin-access.ts";

/** Every rule in execution order. */
export async function listRules(deps: TDeps, admin: TRulesActor) {
  assertAdminAllowed(admin, "rules:read");
  return (await listRuleRows(deps.db)).map(toRuleJson);
}

/** One rule with its static warnings. */
export async function getRule(deps: TDeps, admin: TRulesActor, id: string) {
  assertAdminAllowed(admin, "rules:read");
  const rule = await findRule(deps.db, id);
  if (!rule) throw AdminError.notFound("Rule not found");
  return { rule: toRuleJson(rule), warnings: ruleWarnings(rule.script) };
}
