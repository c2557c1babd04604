import { readDate, type TSqlRunner } from "./raw-sql.ts";
import { upsertRow } from "./write-row.ts";

/** Every column of the RuleSetting table, in schema order. */
export const RULE_SETTING_COLUMNS = ["key", "valueEnc", "createdAt", "updatedAt"] as const;

/** Rule setting keys (values are never read back out through the admin API). */
export async function listRuleSettingKeys(q: TSqlRunner): Promise<{ key: string; updatedAt: Date }[]> {
  const rows = await q.all<{ key: string; updatedAt: unknown }>(
    `SELECT "key","updatedAt" FROM "RuleSetting" ORDER BY "key"`,
  );
  return rows.map((r) => ({ key: String(r.key), updatedAt: readDate(r.updatedAt) }));
}

/** Every rule setting with its sealed value (for the rules runtime). */
export async function listRuleSettingsSealed(q: TSqlRunner): Promise<{ key: string; valueEnc: string }[]> {
  const rows = await q.all<{ key: string; valueEnc: string }>(`SELECT "key","valueEnc" FROM "RuleSetting"`);
  return rows.map((r) => ({ key: String(r.key), valueEnc: String(r.valueEnc) }));
}

/** One setting's sealed value, or null. */
export async function findRuleSettingSealed(q: TSqlRunner, key: string): Promise<string | null> {
  const [row] = await q.all<{ valueEnc: string }>(`SELECT "valueEnc" FROM "RuleSetting" WHERE "key" = ?`, [
    key,
  ]);
  return row ? String(row.valueEnc) : null;
}

/** Whether a rule setting exists (its value is not read). */
export async function hasRuleSetting(q: TSqlRunner, key: string): Promise<boolean> {
  return (await q.all(`SELECT "key" FROM "RuleSetting" WHERE "key" = ?`, [key])).length > 0;
}

/** Create or replace a setting's sealed value. */
export async function upsertRuleSetting(
  q: TSqlRunner,
  key: string,
  valueEnc: string,
  at: Date,
): Promise<void> {
  await upsertRow(
    q,
    "RuleSetting",
    ["key"],
    { key, valueEnc, createdAt: at, updatedAt: at },
    { valueEnc, updatedAt: at },
  );
}

/** Delete a setting; false when it did not exist. */
export async function deleteRuleSetting(q: TSqlRunner, key: string): Promise<boolean> {
  return (await q.run(`DELETE FROM "RuleSetting" WHERE "key" = ?`, [key])) === 1;
}

/** Delete every setting (tests reset between cases). */
export async function deleteAllRuleSettings(q: TSqlRunner): Promise<void> {
  await q.run(`DELETE FROM "RuleSetting"`);
}
