import { z } from "zod";
import type { TDeps } from "../../config/deps.ts";
import { findRuleByName, updateRule as updateRuleRow } from "../../store/rules.ts";
import { AdminError, notFound, parseInput } from "../errors.ts";
import { ZRuleName, ZRuleScript, assertRuleCompiles, ruleWarnings } from "./check-rule.ts";
import { toRuleJson } from "./rule-json.ts";

export const ZUpdateRule = z
  .object({
    name: ZRuleName.optional(),
    script: ZRuleScript.optional(),
    order: z.number().int().min(0).optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

/**
 * Change a rule: a new name or script is saved as a new version (the previous one is kept for rollback); `order` and
 * `enabled` (enable/disable) change in place.
 */
export async function updateRule(deps: TDeps, id: string, body: unknown) {
  const input = parseInput(ZUpdateRule, body);
  if (input.script !== undefined) await assertRuleCompiles(deps, input.script);
  if (input.name !== undefined) {
    const holder = await findRuleByName(deps.db, input.name);
    if (holder && holder.id !== id)
      throw new AdminError(409, "conflict", `A rule named "${input.name}" already exists`);
  }
  const rule = await updateRuleRow(deps.db, id, input);
  if (!rule) throw notFound("Rule");
  deps.rules.clear();
  return { rule: toRuleJson(rule), warnings: ruleWarnings(rule.script) };
}
