import type { TSqlRunner } from "./raw-sql.ts";

// Every column that holds a secret-box value, for the start-up re-seal of older formats (server/ops/
// reseal-secrets.ts). Table and column names come from this closed table, never from input.
const SEALED_COLUMNS = {
  clientSecret: { table: "Client", column: "clientSecretEnc" },
  apiSigningSecret: { table: "ResourceServer", column: "signingSecretEnc" },
  signingKey: { table: "SigningKey", column: "privateKeyEnc" },
  adminTotpSeed: { table: "AdminUser", column: "totpSecretEnc" },
  userTotpSeed: { table: "MfaAuthenticator", column: "secretEnc" },
  ruleSetting: { table: "RuleSetting", column: "valueEnc" },
} as const;

export type TSealedColumn = keyof typeof SEALED_COLUMNS;
export const SEALED_COLUMN_NAMES = Object.keys(SEALED_COLUMNS) as TSealedColumn[];

/** The row key of each table (RuleSetting is keyed by its name). */
const keyOf = (c: TSealedColumn) => (c === "ruleSetting" ? "key" : "id");

/**
 * Up to `limit` rows of `c` whose value starts with `prefix` (a format version such as `v1.`), in key order after
 * `afterKey`, so a caller can page past rows it leaves alone.
 */
export async function listSealedValues(
  q: TSqlRunner,
  c: TSealedColumn,
  prefix: string,
  afterKey: string,
  limit: number,
): Promise<{ key: string; value: string }[]> {
  const { table, column } = SEALED_COLUMNS[c];
  const key = keyOf(c);
  return q.all<{ key: string; value: string }>(
    `SELECT "${key}" AS "key", "${column}" AS "value" FROM "${table}" WHERE "${column}" LIKE ? AND "${key}" > ? ORDER BY "${key}" LIMIT ${Math.trunc(limit)}`,
    [`${prefix}%`, afterKey],
  );
}

/** Replace one sealed value only if it is still `expected` (compare-and-set); true when it was replaced. */
export async function replaceSealedValue(
  q: TSqlRunner,
  c: TSealedColumn,
  key: string,
  expected: string,
  next: string,
): Promise<boolean> {
  const { table, column } = SEALED_COLUMNS[c];
  const n = await q.run(`UPDATE "${table}" SET "${column}" = ? WHERE "${keyOf(c)}" = ? AND "${column}" = ?`, [
    next,
    key,
    expected,
  ]);
  return n === 1;
}

/**
 * PostgreSQL: serialise re-seal transactions of several server processes starting at once (a transaction-level
 * advisory lock, which also holds behind a pooler). SQLite's BEGIN IMMEDIATE already serialises writers.
 */
export async function lockSealedValues(q: TSqlRunner, kind: "sqlite" | "postgres"): Promise<void> {
  if (kind === "postgres") await q.all("SELECT pg_advisory_xact_lock(727275)");
}
