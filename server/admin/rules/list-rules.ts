import type { TDeps } from "../../config/deps.ts";
import { findRule, listRules as listRuleRows } from "../../store/rules.ts";
import { AdminError } from "../admin-error.ts";
import { ruleWarnings } from "./check-rule.ts";
import { toRuleJson } from "./rule-json.ts";

/** Every rule in execution order. */
export async function listRules(deps: TDeps) {
  return (await listRuleRows(deps.sql)).map(toRuleJson);
}

/** One rule with its static warnings. */
export async function getRule(deps: TDeps, id: string) {
  const rule = await findRule(deps.sql, id);
  if (!rule) throw AdminError.notFound("Rule not found");
  return { rule: toRuleJson(rule), warnings: ruleWarnings(rule.script) };
}
