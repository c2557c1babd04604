import type { TSqlRunner } from "./raw-sql.ts";

// The UnblockLinkUse table: the unblock links already redeemed (by token hash), so each link works once.

export const UNBLOCK_LINK_USE_COLUMNS = ["tokenHash", "usedAt", "expiresAt"] as const;

/**
 * Record that the unblock link with this token hash was used: true for exactly one caller per link, in one
 * statement, so two concurrent redemptions (in any process) cannot both pass. On PostgreSQL the second INSERT waits
 * for the first transaction and then finds the row; if that transaction rolled back, it wins instead.
 */
export async function consumeUnblockLink(
  q: TSqlRunner,
  tokenHash: string,
  at: Date,
  expiresAt: Date,
): Promise<boolean> {
  const rows = await q.all(
    `INSERT INTO "UnblockLinkUse" ("tokenHash","usedAt","expiresAt") VALUES (?,?,?) ON CONFLICT ("tokenHash") DO NOTHING RETURNING "tokenHash"`,
    [tokenHash, at, expiresAt],
  );
  return rows.length === 1;
}

/** Whether the unblock link with this token hash was already used. */
export async function isUnblockLinkUsed(q: TSqlRunner, tokenHash: string): Promise<boolean> {
  const rows = await q.all(`SELECT 1 AS "one" FROM "UnblockLinkUse" WHERE "tokenHash" = ?`, [tokenHash]);
  return rows.length > 0;
}

/** Forget used links that have expired anyway (an expired link is refused without looking here). */
export async function deleteExpiredUnblockLinkUses(q: TSqlRunner, now: Date): Promise<void> {
  await q.run(`DELETE FROM "UnblockLinkUse" WHERE "expiresAt" <= ?`, [now]);
}
