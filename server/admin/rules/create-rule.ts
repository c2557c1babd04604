import { z } from "zod";
import type { TDeps } from "../../config/deps.ts";
import { randomAlphanumeric } from "../../tenant/import-tenant.ts";
import { findRuleByName, insertRule, nextRuleOrder } from "../../store/rules.ts";
import { AdminError, parseInput } from "../errors.ts";
import { ZRuleName, ZRuleScript, assertRuleCompiles, ruleWarnings } from "./check-rule.ts";
import { toRuleJson } from "./rule-json.ts";

export const ZCreateRule = z.object({
  name: ZRuleName,
  script: ZRuleScript,
  order: z.number().int().min(0).optional(),
  enabled: z.boolean().optional(),
  stage: z.literal("login_success").optional(),
});

/** A new Auth0-style rule id. */
export function newRuleId(): string {
  return `rul_${randomAlphanumeric(16)}`;
}

/** Create a rule (version 1); without `order` it runs last. Returns the rule and the static warnings. */
export async function createRule(deps: TDeps, body: unknown) {
  const input = parseInput(ZCreateRule, body);
  await assertRuleCompiles(deps, input.script);
  if (await findRuleByName(deps.db, input.name))
    throw new AdminError(409, "conflict", `A rule named "${input.name}" already exists`);
  const rule = await insertRule(deps.db, {
    id: newRuleId(),
    name: input.name,
    script: input.script,
    order: input.order ?? (await nextRuleOrder(deps.db)),
    enabled: input.enabled ?? true,
    stage: "login_success",
  });
  deps.rules.clear();
  return { rule: toRuleJson(rule), warnings: ruleWarnings(input.script) };
}
