import type { TSqlRunner } from "./raw-sql.ts";

// The SendLimit table: one generic-cell-rate bucket per key (reset and verification mails per user and per IP).

export const SEND_LIMIT_COLUMNS = ["key", "tatMs"] as const;

/**
 * Take one send from the bucket `key` (capacity `capacity`, one send back every `intervalMs`). One conditional
 * UPDATE decides, so the limit holds under concurrency and across processes. False when the bucket is empty.
 */
export async function takeSend(
  q: TSqlRunner,
  key: string,
  nowMs: number,
  intervalMs: number,
  capacity: number,
): Promise<boolean> {
  return (await takeSendWithState(q, key, nowMs, intervalMs, capacity)).admitted;
}

/** Forget buckets (a deleted user's mail limits). */
export async function deleteSendLimits(q: TSqlRunner, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await q.run(`DELETE FROM "SendLimit" WHERE "key" IN (${keys.map(() => "?").join(",")})`, keys);
}

/**
 * {@link takeSend}, also saying how the bucket stands afterwards: its theoretical arrival time (`tatMs`; the bucket
 * is full again then), for rate-limit headers. One conditional UPDATE … RETURNING decides.
 */
export async function takeSendWithState(
  q: TSqlRunner,
  key: string,
  nowMs: number,
  intervalMs: number,
  capacity: number,
): Promise<{ admitted: boolean; tatMs: number }> {
  await q.run(`INSERT INTO "SendLimit" ("key","tatMs") VALUES (?, 0) ON CONFLICT ("key") DO NOTHING`, [key]);
  const next = `(CASE WHEN "tatMs" > ? THEN "tatMs" ELSE ? END) + ?`;
  const [taken] = await q.all<{ tatMs: number | string }>(
    `UPDATE "SendLimit" SET "tatMs" = ${next} WHERE "key" = ? AND ${next} <= ? RETURNING "tatMs"`,
    [nowMs, nowMs, intervalMs, key, nowMs, nowMs, intervalMs, nowMs + capacity * intervalMs],
  );
  if (taken) return { admitted: true, tatMs: Number(taken.tatMs) };
  const [row] = await q.all<{ tatMs: number | string }>(`SELECT "tatMs" FROM "SendLimit" WHERE "key" = ?`, [
    key,
  ]);
  return { admitted: false, tatMs: Number(row?.tatMs ?? nowMs) };
}
