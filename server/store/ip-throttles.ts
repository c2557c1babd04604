import { readDate, type TSqlRunner, type TSqlValue, type TSqlWriter } from "./raw-sql.ts";

// The IpThrottle table: one generic-cell-rate bucket per IP key (suspicious-IP throttling). Every change is one
// atomic statement (house rule 7).

export const IP_THROTTLE_COLUMNS = ["ip", "tat", "lastFailureAt", "blockedAt"] as const;

const IP_COLUMNS = IP_THROTTLE_COLUMNS.map((c) => `"${c}"`).join(",");

/**
 * Take one attempt from the IP's bucket if one is left (generic cell rate algorithm, one statement). An admitted
 * attempt also ends a recorded block. Returns whether the attempt was admitted.
 */
export async function reserveIpAttempt(
  q: TSqlRunner,
  ip: string,
  opts: { now: Date; rateMs: number; maxAttempts: number },
): Promise<boolean> {
  const max = q.kind === "postgres" ? "GREATEST" : "MAX";
  const nowMs = opts.now.getTime();
  const next = `${max}("IpThrottle"."tat", CAST(? AS BIGINT)) + CAST(? AS BIGINT)`;
  const rows = await q.all<Record<string, unknown>>(
    `INSERT INTO "IpThrottle" ("ip","tat","lastFailureAt") VALUES (?, CAST(? AS BIGINT), ?)
     ON CONFLICT ("ip") DO UPDATE SET "tat" = ${next}, "lastFailureAt" = excluded."lastFailureAt", "blockedAt" = NULL
     WHERE ${next} - CAST(? AS BIGINT) <= CAST(? AS BIGINT)
     RETURNING "ip"`,
    [
      ip,
      nowMs + opts.rateMs,
      opts.now,
      nowMs,
      opts.rateMs,
      nowMs,
      opts.rateMs,
      nowMs,
      opts.maxAttempts * opts.rateMs,
    ],
  );
  return rows.length === 1;
}

/** The IP's bucket, if it has one (a read: refusing an already blocked IP needs no write). */
export async function findIpBucket(q: TSqlRunner, ip: string): Promise<TIpThrottleRow | null> {
  const rows = await q.all<Record<string, unknown>>(`SELECT ${IP_COLUMNS} FROM "IpThrottle" WHERE "ip" = ?`, [
    ip,
  ]);
  return rows[0] ? toIpThrottleRow(rows[0]) : null;
}

/** Give back an attempt that turned out not to be a failure (a successful login, or one refused elsewhere). */
export async function refundIpAttempt(q: TSqlWriter, ip: string, rateMs: number): Promise<void> {
  await q.run(`UPDATE "IpThrottle" SET "tat" = "tat" - CAST(? AS BIGINT) WHERE "ip" = ?`, [rateMs, ip]);
}

/** Record that the IP's attempts are being refused. True for exactly one caller per block. */
export async function markIpBlocked(q: TSqlRunner, ip: string, at: Date): Promise<boolean> {
  return (
    (await q.run(`UPDATE "IpThrottle" SET "blockedAt" = ? WHERE "ip" = ? AND "blockedAt" IS NULL`, [
      at,
      ip,
    ])) === 1
  );
}

export type TIpThrottleRow = { ip: string; tat: number; lastFailureAt: Date; blockedAt: Date | null };

/** The row mapper (also used by the login read that joins LoginFailure to IpThrottle). */
export function toIpThrottleRow(r: Record<string, unknown>): TIpThrottleRow {
  return {
    ip: String(r.ip),
    tat: Number(r.tat),
    lastFailureAt: readDate(r.lastFailureAt),
    blockedAt: r.blockedAt === null || r.blockedAt === undefined ? null : readDate(r.blockedAt),
  };
}

/** Buckets whose theoretical arrival time is later than `afterMs` (the only ones that can be refusing). */
export async function listIpBuckets(
  q: TSqlRunner,
  opts: { afterMs: number; ips?: string[]; take?: number },
): Promise<TIpThrottleRow[]> {
  const params: TSqlValue[] = [opts.afterMs];
  let where = `"tat" > CAST(? AS BIGINT)`;
  if (opts.ips !== undefined) {
    if (opts.ips.length === 0) return [];
    where += ` AND "ip" IN (${opts.ips.map(() => "?").join(",")})`;
    params.push(...opts.ips);
  }
  params.push(opts.take ?? 1000);
  const rows = await q.all<Record<string, unknown>>(
    `SELECT ${IP_COLUMNS} FROM "IpThrottle" WHERE ${where} ORDER BY "tat" DESC LIMIT ?`,
    params,
  );
  return rows.map(toIpThrottleRow);
}

/** Forget the buckets kept under these IP keys (admin unblock). Returns the deleted rows. */
export async function deleteIpBuckets(q: TSqlRunner, ips: string[]): Promise<TIpThrottleRow[]> {
  if (ips.length === 0) return [];
  const rows = await q.all<Record<string, unknown>>(
    `DELETE FROM "IpThrottle" WHERE "ip" IN (${ips.map(() => "?").join(",")}) RETURNING ${IP_COLUMNS}`,
    ips,
  );
  return rows.map(toIpThrottleRow);
}
