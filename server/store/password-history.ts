import { newRowId, type TSqlRunner } from "./raw-sql.ts";

// The PasswordHistory table: a user's previous password hashes (PHC strings, never passwords), for the connection's
// `password_history` option.

export const PASSWORD_HISTORY_COLUMNS = ["id", "userId", "hash", "createdAt"] as const;

/** The user's remembered password hashes, newest first, at most `limit`. */
export async function listPasswordHistory(q: TSqlRunner, userId: string, limit: number): Promise<string[]> {
  const rows = await q.all<{ hash: string }>(
    `SELECT "hash" FROM "PasswordHistory" WHERE "userId" = ? ORDER BY "createdAt" DESC, "id" DESC LIMIT ?`,
    [userId, Math.max(0, Math.floor(limit))],
  );
  return rows.map((r) => String(r.hash));
}

/** Remember a password hash for the user, then keep only the newest `keep` entries. */
export async function insertPasswordHistory(
  q: TSqlRunner,
  userId: string,
  hash: string,
  at: Date,
  keep: number,
): Promise<void> {
  await q.run(`INSERT INTO "PasswordHistory" ("id","userId","hash","createdAt") VALUES (?,?,?,?)`, [
    newRowId(),
    userId,
    hash,
    at,
  ]);
  await prunePasswordHistory(q, userId, keep);
}

/** Forget all but the newest `keep` hashes of the user (0 forgets all). */
export async function prunePasswordHistory(q: TSqlRunner, userId: string, keep: number): Promise<void> {
  await q.run(
    `DELETE FROM "PasswordHistory" WHERE "userId" = ? AND "id" NOT IN (SELECT "id" FROM "PasswordHistory" WHERE "userId" = ? ORDER BY "createdAt" DESC, "id" DESC LIMIT ?)`,
    [userId, userId, Math.max(0, Math.floor(keep))],
  );
}
