import { z } from "zod";
import type { TDeps } from "../../config/deps.ts";
import {
  deleteRuleSetting as deleteSettingRow,
  listRuleSettingKeys,
  upsertRuleSetting,
} from "../../store/rules.ts";
import { notFound, parseInput } from "../errors.ts";

/** Auth0's rules-configs key format. */
export const ZRuleSettingKey = z
  .string()
  .min(1)
  .max(127)
  .regex(/^[A-Za-z0-9_\-@*+:]+$/, "must be letters, digits and _ - @ * + :");
export const ZRuleSettingValue = z.object({ value: z.string().min(1).max(4096) });

/** Rule setting keys; values are secrets and are never returned. */
export async function listRuleSettings(deps: TDeps) {
  return (await listRuleSettingKeys(deps.db)).map((s) => ({
    key: s.key,
    updated_at: s.updatedAt.toISOString(),
  }));
}

/** Create or replace a rule setting; the value is sealed with the master key before it is stored. */
export async function setRuleSetting(deps: TDeps, key: string, body: unknown) {
  const k = parseInput(ZRuleSettingKey, key);
  const { value } = parseInput(ZRuleSettingValue, body);
  await upsertRuleSetting(deps.db, k, deps.box.seal(value));
  deps.rules.clear();
  return { key: k };
}

/** Remove a rule setting. */
export async function deleteRuleSetting(deps: TDeps, key: string): Promise<void> {
  if (!(await deleteSettingRow(deps.db, key))) throw notFound("Rule setting");
  deps.rules.clear();
}
