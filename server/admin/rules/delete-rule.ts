import type { TDeps } from "../../config/deps.ts";
import { deleteRule as deleteRuleRow, findRule } from "../../store/rules.ts";
import { AdminError } from "../admin-error.ts";
import { toRuleAudit, type TRulesActor } from "./rule-json.ts";
import { recordRulesChange } from "./record-rules-change.ts";
import { assertAdminAllowed } from "../admin-access.ts";

/**
 * Delete a rule with its versions. The audit record keeps the deleted rule (script included), so it can be
 * recreated from the log.
 */
export async function deleteRule(deps: TDeps, admin: TRulesActor, id: string): Promise<void> {
  assertAdminAllowed(admin, "rules:write");
  await deps.db.transaction(async (tx) => {
    const before = await findRule(tx, id);
    if (!before || !(await deleteRuleRow(tx, id))) throw AdminError.notFound("Rule not found");
    await recordRulesChange(tx, deps, admin, {
      action: "delete rule",
      target: id,
      before: toRuleAudit(before),
    });
  });
  deps.rules.clear();
}
