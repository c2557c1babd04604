import type { TDeps } from "../../config/deps.ts";
import { deleteRule as deleteRuleRow } from "../../store/rules.ts";
import { notFound } from "../errors.ts";

/** Delete a rule with its versions. */
export async function deleteRule(deps: TDeps, id: string): Promise<void> {
  if (!(await deleteRuleRow(deps.db, id))) throw notFound("Rule");
  deps.rules.clear();
}
