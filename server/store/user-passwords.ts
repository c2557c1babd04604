import type { TSqlRunner } from "./raw-sql.ts";

// User table (columns in users.ts): the writes of the current password's state, split from users.ts by job (a
// breached password flagged at login, a password set by an admin).

/** Flag the user's current password as breached. True when it was not flagged before. */
export async function markPasswordLeaked(q: TSqlRunner, id: string, at: Date): Promise<boolean> {
  return (
    (await q.run(`UPDATE "User" SET "passwordLeakedAt" = ? WHERE "id" = ? AND "passwordLeakedAt" IS NULL`, [
      at,
      id,
    ])) === 1
  );
}

/** Replace the user's password hash and clear the breached flag. */
export async function setPasswordHash(q: TSqlRunner, id: string, hash: string, at: Date): Promise<void> {
  await q.run(
    `UPDATE "User" SET "passwordHash" = ?, "passwordLeakedAt" = NULL, "lastPasswordReset" = ?, "updatedAt" = ? WHERE "id" = ?`,
    [hash, at, at, id],
  );
}
