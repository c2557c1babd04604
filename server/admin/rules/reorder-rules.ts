import { z } from "zod";
import type { TDeps } from "../../config/deps.ts";
import { listRules, setRuleOrders } from "../../store/rules.ts";
import { AdminError } from "../admin-error.ts";
import { parseRulesInput } from "./parse-rules-input.ts";
import { toRuleJson, type TRulesActor } from "./rule-json.ts";
import { recordRulesChange } from "./record-rules-change.ts";
import { assertAdminAllowed } from "../admin-access.ts";

export const ZReorderRules = z.object({ ids: z.array(z.string().min(1)).min(1) });

/**
 * Put rules in the given order: the listed rules get orders 1, 2, 3, … in that sequence; rules not listed keep their
 * relative order after them. All or nothing, audited (the execution order before and after) in the same transaction.
 */
export async function reorderRules(deps: TDeps, admin: TRulesActor, body: unknown) {
  assertAdminAllowed(admin, "rules:write");
  const { ids } = parseRulesInput(ZReorderRules, body);
  if (new Set(ids).size !== ids.length) throw AdminError.invalid("ids must not repeat");
  const rules = await deps.db.transaction(async (tx) => {
    const current = await listRules(tx);
    const known = new Set(current.map((r) => r.id));
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length > 0) throw AdminError.notFound(`Unknown rule ids: ${unknown.join(", ")}`);
    const rest = current.filter((r) => !ids.includes(r.id)).map((r) => r.id);
    await setRuleOrders(
      tx,
      [...ids, ...rest].map((id, i) => ({ id, order: i + 1 })),
      deps.clock.now(),
    );
    const reordered = await listRules(tx);
    const summary = (rs: typeof current) => rs.map((r) => ({ id: r.id, name: r.name, order: r.order }));
    await recordRulesChange(tx, deps, admin, {
      action: "reorder rules",
      target: "rules",
      before: summary(current),
      after: summary(reordered),
    });
    return reordered;
  });
  deps.rules.clear();
  return rules.map(toRuleJson);
}
