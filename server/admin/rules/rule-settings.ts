import { z } from "zod";
import type { TDeps } from "../../config/deps.ts";
import {
  deleteRuleSetting as deleteSettingRow,
  hasRuleSetting,
  listRuleSettingKeys,
  upsertRuleSetting,
} from "../../store/rule-settings.ts";
import { AdminError } from "../admin-error.ts";
import { parseRulesInput } from "./parse-rules-input.ts";
import type { TRulesActor } from "./rule-json.ts";
import { recordRulesChange } from "./record-rules-change.ts";
import { assertAdminAllowed } from "../admin-access.ts";

/** Auth0's rules-configs key format. */
export const ZRuleSettingKey = z
  .string()
  .min(1)
  .max(127)
  .regex(/^[A-Za-z0-9_\-@*+:]+$/, "must be letters, digits and _ - @ * + :");
export const ZRuleSettingValue = z.object({ value: z.string().min(1).max(4096) });

/** What an audit record keeps of a setting: its key; the value is a secret and is never written to the log. */
const auditedSetting = (key: string) => ({ key, value: "[redacted]" });

/** Rule setting keys; values are secrets and are never returned. */
export async function listRuleSettings(deps: TDeps, admin: TRulesActor) {
  assertAdminAllowed(admin, "rules:read");
  return (await listRuleSettingKeys(deps.db)).map((s) => ({
    key: s.key,
    updated_at: s.updatedAt.toISOString(),
  }));
}

/**
 * Create or replace a rule setting; the value is sealed with the master key before it is stored. Audited ("add" or
 * "replace", key only) in the same transaction.
 */
export async function setRuleSetting(deps: TDeps, admin: TRulesActor, key: string, body: unknown) {
  assertAdminAllowed(admin, "rules:write");
  const k = parseRulesInput(ZRuleSettingKey, key);
  const { value } = parseRulesInput(ZRuleSettingValue, body);
  await deps.db.transaction(async (tx) => {
    const had = await hasRuleSetting(tx, k);
    await upsertRuleSetting(tx, k, deps.box.seal("rule-setting", value), deps.clock.now());
    await recordRulesChange(tx, deps, admin, {
      action: had ? "replace rule setting" : "add rule setting",
      target: k,
      before: had ? auditedSetting(k) : null,
      after: auditedSetting(k),
    });
  });
  deps.rules.clear();
  return { key: k };
}

/** Remove a rule setting, audited (key only) in the same transaction. */
export async function deleteRuleSetting(deps: TDeps, admin: TRulesActor, key: string): Promise<void> {
  assertAdminAllowed(admin, "rules:write");
  await deps.db.transaction(async (tx) => {
    if (!(await deleteSettingRow(tx, key))) throw AdminError.notFound("Rule setting not found");
    await recordRulesChange(tx, deps, admin, {
      action: "delete rule setting",
      target: key,
      before: auditedSetting(key),
    });
  });
  deps.rules.clear();
}
