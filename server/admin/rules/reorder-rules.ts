import { z } from "zod";
import type { TDeps } from "../../config/deps.ts";
import { listRules, setRuleOrders } from "../../store/rules.ts";
import { AdminError, parseInput } from "../errors.ts";
import { toRuleJson } from "./rule-json.ts";

export const ZReorderRules = z.object({ ids: z.array(z.string().min(1)).min(1) });

/**
 * Put rules in the given order: the listed rules get orders 1, 2, 3, … in that sequence; rules not listed keep their
 * relative order after them. All or nothing.
 */
export async function reorderRules(deps: TDeps, body: unknown) {
  const { ids } = parseInput(ZReorderRules, body);
  if (new Set(ids).size !== ids.length) throw new AdminError(400, "invalid_body", "ids must not repeat");
  const rules = await listRules(deps.db);
  const known = new Set(rules.map((r) => r.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) throw new AdminError(404, "not_found", `Unknown rule ids: ${unknown.join(", ")}`);
  const rest = rules.filter((r) => !ids.includes(r.id)).map((r) => r.id);
  await setRuleOrders(
    deps.db,
    [...ids, ...rest].map((id, i) => ({ id, order: i + 1 })),
  );
  deps.rules.clear();
  return (await listRules(deps.db)).map(toRuleJson);
}
