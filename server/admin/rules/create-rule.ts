import { z } from "zod";
import type { TDeps } from "../../config/deps.ts";
import { randomAlphanumeric } from "../../crypto/random-id.ts";
import { findRuleByName, insertRule, nextRuleOrder } from "../../store/rules.ts";
import { isUniqueViolation } from "../../store/raw-sql.ts";
import { AdminError } from "../admin-error.ts";
import { parseRulesInput } from "./parse-rules-input.ts";
import { ZRuleName, ZRuleScript, assertRuleCompiles, ruleWarnings } from "./check-rule.ts";
import { toRuleAudit, toRuleJson, type TRulesActor } from "./rule-json.ts";
import { recordRulesChange } from "./record-rules-change.ts";
import { assertAdminAllowed } from "../admin-access.ts";

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

const nameTaken = (name: string) => AdminError.conflict(`A rule named "${name}" already exists`);

/**
 * Create a rule (version 1, saved by `admin`); without `order` it runs last. Audited in the same transaction.
 * Returns the rule and the static warnings.
 */
export async function createRule(deps: TDeps, admin: TRulesActor, body: unknown) {
  assertAdminAllowed(admin, "rules:write");
  const input = parseRulesInput(ZCreateRule, body);
  await assertRuleCompiles(deps, input.script);
  try {
    const rule = await deps.db.transaction(async (tx) => {
      if (await findRuleByName(tx, input.name)) throw nameTaken(input.name);
      const row = await insertRule(
        tx,
        {
          id: newRuleId(),
          name: input.name,
          script: input.script,
          order: input.order ?? (await nextRuleOrder(tx)),
          enabled: input.enabled ?? true,
          stage: "login_success",
        },
        admin.email,
        deps.clock.now(),
      );
      await recordRulesChange(tx, deps, admin, {
        action: "create rule",
        target: row.id,
        after: toRuleAudit(row),
      });
      return row;
    });
    deps.rules.clear();
    return { rule: toRuleJson(rule), warnings: ruleWarnings(input.script) };
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(input.name);
    throw err;
  }
}
