import type { TSqlRunner } from "./raw-sql.ts";

/** Every column of the `MfaThrottle` table, in schema order. */
export const MFA_THROTTLE_COLUMNS = ["userId", "tatMs"] as const;

/**
 * Take one slot from a user's wrong-code bucket (GCRA: `tatMs` is when the bucket is full again). One conditional
 * UPDATE decides, so the bucket holds exactly under concurrency and across processes. Returns false when empty.
 */
export async function takeMfaAttempt(
  q: TSqlRunner,
  userId: string,
  nowMs: number,
  intervalMs: number,
  capacity: number,
): Promise<boolean> {
  await q.run(
    `INSERT INTO "MfaThrottle" ("userId","tatMs") VALUES (?, 0) ON CONFLICT ("userId") DO NOTHING`,
    [userId],
  );
  const next = `(CASE WHEN "tatMs" > ? THEN "tatMs" ELSE ? END) + ?`;
  return (
    (await q.run(`UPDATE "MfaThrottle" SET "tatMs" = ${next} WHERE "userId" = ? AND ${next} <= ?`, [
      nowMs,
      nowMs,
      intervalMs,
      userId,
      nowMs,
      nowMs,
      intervalMs,
      nowMs + capacity * intervalMs,
    ])) === 1
  );
}

/** Give a slot back after a correct code: only wrong codes drain the bucket. */
export async function returnMfaAttempt(q: TSqlRunner, userId: string, intervalMs: number): Promise<void> {
  await q.run(`UPDATE "MfaThrottle" SET "tatMs" = "tatMs" - ? WHERE "userId" = ?`, [intervalMs, userId]);
}

/** Forget a user's wrong-code bucket (admin MFA reset, imported enrolment). */
export async function deleteMfaThrottle(q: TSqlRunner, userId: string): Promise<void> {
  await q.run(`DELETE FROM "MfaThrottle" WHERE "userId" = ?`, [userId]);
}
