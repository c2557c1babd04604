import { readDate, type TSqlRunner } from "./raw-sql.ts";
import { upsertRow } from "./write-row.ts";

/** Every column of the ActionSecret table, in schema order. */
export const ACTION_SECRET_COLUMNS = ["actionId", "name", "valueEnc", "createdAt", "updatedAt"] as const;

/** An action's secret names (values are never read back out through the admin API). */
export async function listActionSecretNames(
  q: TSqlRunner,
  actionId: string,
): Promise<{ name: string; updatedAt: Date }[]> {
  const rows = await q.all<{ name: unknown; updatedAt: unknown }>(
    `SELECT "name","updatedAt" FROM "ActionSecret" WHERE "actionId" = ? ORDER BY "name"`,
    [actionId],
  );
  return rows.map((r) => ({ name: String(r.name), updatedAt: readDate(r.updatedAt) }));
}

/** Every secret of every action with its sealed value (for the runtime). */
export async function listActionSecretsSealed(
  q: TSqlRunner,
): Promise<{ actionId: string; name: string; valueEnc: string }[]> {
  const rows = await q.all<{ actionId: unknown; name: unknown; valueEnc: unknown }>(
    `SELECT "actionId","name","valueEnc" FROM "ActionSecret"`,
  );
  return rows.map((r) => ({
    actionId: String(r.actionId),
    name: String(r.name),
    valueEnc: String(r.valueEnc),
  }));
}

/** Create or replace one secret's sealed value. */
export async function upsertActionSecret(
  q: TSqlRunner,
  actionId: string,
  name: string,
  valueEnc: string,
  at: Date,
): Promise<void> {
  await upsertRow(
    q,
    "ActionSecret",
    ["actionId", "name"],
    { actionId, name, valueEnc, createdAt: at, updatedAt: at },
    { valueEnc, updatedAt: at },
  );
}

/** Delete one secret; false when it did not exist. */
export async function deleteActionSecret(q: TSqlRunner, actionId: string, name: string): Promise<boolean> {
  return (
    (await q.run(`DELETE FROM "ActionSecret" WHERE "actionId" = ? AND "name" = ?`, [actionId, name])) === 1
  );
}
