import { z } from "zod";
import type { TDeps } from "../../config/deps.ts";
import {
  findRule,
  findRuleByName,
  updateRule as updateRuleRow,
  type TRuleRecord,
} from "../../store/rules.ts";
import { isUniqueViolation } from "../../store/raw-sql.ts";
import { AdminError } from "../admin-error.ts";
import { parseRulesInput } from "./parse-rules-input.ts";
import { ZRuleName, ZRuleScript, assertRuleCompiles, ruleWarnings } from "./check-rule.ts";
import { toRuleAudit, toRuleJson, type TRulesActor } from "./rule-json.ts";
import { recordRulesChange } from "./record-rules-change.ts";
import { assertAdminAllowed } from "../admin-access.ts";

export const ZUpdateRule = z
  .object({
    name: ZRuleName.optional(),
    script: ZRuleScript.optional(),
    order: z.number().int().min(0).optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

const nameTaken = (name: string) => AdminError.conflict(`A rule named "${name}" already exists`);

/**
 * What an audit record says about a change: enabling or disabling alone is its own action (it is what people
 * search the log for), anything else is an update. Before/after carry only the fields that changed, plus the
 * name and version so a record reads on its own.
 */
function describeChange(before: TRuleRecord, after: TRuleRecord) {
  const a = toRuleAudit(after);
  const b = toRuleAudit(before);
  const changed = (Object.keys(a) as (keyof typeof a)[]).filter((k) => a[k] !== b[k]);
  if (changed.length === 0) return null;
  const pick = (r: typeof a) =>
    Object.fromEntries(["id", "name", "version", ...changed].map((k) => [k, r[k as keyof typeof a]]));
  const action =
    changed.length === 1 && changed[0] === "enabled"
      ? after.enabled
        ? "enable rule"
        : "disable rule"
      : "update rule";
  return { action, before: pick(b), after: pick(a) };
}

/**
 * Change a rule: a new name or script is saved as a new version by `admin` (the previous one is kept for rollback);
 * `order` and `enabled` (enable/disable) change in place. Audited in the same transaction when anything changed.
 */
export async function updateRule(deps: TDeps, admin: TRulesActor, id: string, body: unknown) {
  assertAdminAllowed(admin, "rules:write");
  const input = parseRulesInput(ZUpdateRule, body);
  if (input.script !== undefined) await assertRuleCompiles(deps, input.script);
  try {
    const rule = await deps.db.transaction(async (tx) => {
      const before = await findRule(tx, id);
      if (!before) throw AdminError.notFound("Rule not found");
      if (input.name !== undefined) {
        const holder = await findRuleByName(tx, input.name);
        if (holder && holder.id !== id) throw nameTaken(input.name);
      }
      const after = await updateRuleRow(tx, id, input, admin.email, deps.clock.now());
      if (!after) throw AdminError.notFound("Rule not found");
      const change = describeChange(before, after);
      if (change) await recordRulesChange(tx, deps, admin, { ...change, target: id });
      return after;
    });
    deps.rules.clear();
    return { rule: toRuleJson(rule), warnings: ruleWarnings(rule.script) };
  } catch (err) {
    if (isUniqueViolation(err) && input.name !== undefined) throw nameTaken(input.name);
    throw err;
  }
}
