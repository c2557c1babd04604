import { parseJsonColumn } from "./json.ts";
import type { TSqlRunner } from "./raw-sql.ts";

// The AttackProtection table: one row (id = "default") holding each attack-protection policy as JSON.

export const ATTACK_PROTECTION_COLUMNS = [
  "id",
  "bruteForceProtection",
  "suspiciousIpThrottling",
  "breachedPasswordDetection",
  "updatedAt",
] as const;

export type TStoredPolicies = {
  bruteForceProtection: unknown;
  suspiciousIpThrottling: unknown;
  breachedPasswordDetection: unknown;
};

export type TPolicyColumn = keyof TStoredPolicies;

/** The stored policy JSON objects ({} for each when nothing was ever saved). */
export async function readStoredPolicies(q: TSqlRunner): Promise<TStoredPolicies> {
  const rows = await q.all<Record<string, string>>(
    `SELECT "bruteForceProtection","suspiciousIpThrottling","breachedPasswordDetection" FROM "AttackProtection" WHERE "id" = 'default'`,
  );
  const r = rows[0];
  return {
    bruteForceProtection: parseJsonColumn<unknown>(r?.bruteForceProtection, {}),
    suspiciousIpThrottling: parseJsonColumn<unknown>(r?.suspiciousIpThrottling, {}),
    breachedPasswordDetection: parseJsonColumn<unknown>(r?.breachedPasswordDetection, {}),
  };
}

/** Store one policy (a whole, validated object). */
export async function writeStoredPolicy(
  q: TSqlRunner,
  column: TPolicyColumn,
  value: unknown,
  at: Date,
): Promise<void> {
  // The column name comes from the closed TPolicyColumn union, never from input.
  await q.run(
    `INSERT INTO "AttackProtection" ("id","${column}","updatedAt") VALUES ('default',?,?) ON CONFLICT ("id") DO UPDATE SET "${column}" = excluded."${column}", "updatedAt" = excluded."updatedAt"`,
    [JSON.stringify(value), at],
  );
}
