import type { TSqlRunner } from "./raw-sql.ts";

// The NotificationClaim table: one row per notification key, the atomic "at most one per window" claim.

export const NOTIFICATION_CLAIM_COLUMNS = ["key", "sentAt"] as const;

/**
 * Claim the right to send the notification `key` now: true when none was sent at or after `notBefore`. One
 * statement, so two processes racing for the same key cannot both win.
 */
export async function claimNotification(
  q: TSqlRunner,
  key: string,
  at: Date,
  notBefore: Date,
): Promise<boolean> {
  const rows = await q.all(
    `INSERT INTO "NotificationClaim" ("key","sentAt") VALUES (?,?) ON CONFLICT ("key") DO UPDATE SET "sentAt" = excluded."sentAt" WHERE "NotificationClaim"."sentAt" < ? RETURNING "key"`,
    [key, at, notBefore],
  );
  return rows.length === 1;
}

/** Forget claims, so the next block after an unblock notifies again. */
export async function deleteNotificationClaims(q: TSqlRunner, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await q.run(`DELETE FROM "NotificationClaim" WHERE "key" IN (${keys.map(() => "?").join(",")})`, keys);
}
