import { findIpBucket, IP_THROTTLE_COLUMNS, toIpThrottleRow, type TIpThrottleRow } from "./ip-throttles.ts";
import { readDate, type TSqlRunner, type TSqlValue, type TSqlWriter } from "./raw-sql.ts";

// The LoginFailure table: brute-force counters, one per (connection, identifier, IP key). Every counter change is
// one atomic statement — an upsert-increment with a condition, or an UPDATE/DELETE — never a read followed by a
// write, so counts stay exact under concurrency and across server processes sharing one database (house rule 7).

export const LOGIN_FAILURE_COLUMNS = [
  "key",
  "connectionId",
  "identifier",
  "ip",
  "count",
  "firstFailureAt",
  "lastFailureAt",
  "blockedAt",
  "releasedAt",
] as const;

export type TLoginFailureKey = { connectionId: string; identifier: string; ip: string };

/** Primary key of a counter row. */
export function loginFailureKey(k: TLoginFailureKey): string {
  return `${k.connectionId}|${k.identifier}|${k.ip}`;
}

export type TLoginFailureRow = TLoginFailureKey & {
  key: string;
  count: number;
  firstFailureAt: Date;
  lastFailureAt: Date;
  blockedAt: Date | null;
};

/** What a row read returns: every column but releasedAt, which only reserveLoginAttempt reads. */
const ROW_COLUMNS = LOGIN_FAILURE_COLUMNS.filter((c) => c !== "releasedAt");
const FAILURE_COLUMNS = ROW_COLUMNS.map((c) => `"${c}"`).join(",");

function toFailureRow(r: Record<string, unknown>): TLoginFailureRow {
  return {
    key: String(r.key),
    connectionId: String(r.connectionId),
    identifier: String(r.identifier),
    ip: String(r.ip),
    count: Number(r.count),
    firstFailureAt: readDate(r.firstFailureAt),
    lastFailureAt: readDate(r.lastFailureAt),
    blockedAt: r.blockedAt === null || r.blockedAt === undefined ? null : readDate(r.blockedAt),
  };
}

export type TReservation =
  { isAdmitted: true; count: number; releasedExpiredBlock: boolean } | { isAdmitted: false };

/**
 * Count one attempt before its password is checked, in one statement. When `isBlocking`, the count only grows
 * while it is below `maxAttempts` (or the last failure is older than `expiredBefore`, which restarts it at 1), so
 * of N concurrent attempts exactly `maxAttempts - count` are admitted. Not blocking (monitoring mode), it always
 * grows. The attempt is kept as a failure unless the login then succeeds and the row is cleared.
 */
export async function reserveLoginAttempt(
  q: TSqlRunner,
  k: TLoginFailureKey,
  opts: { now: Date; expiredBefore: Date; maxAttempts: number; isBlocking: boolean },
): Promise<TReservation> {
  const key = loginFailureKey(k);
  const expired = `"LoginFailure"."lastFailureAt" < ?`;
  const params: TSqlValue[] = [
    key,
    k.connectionId,
    k.identifier,
    k.ip,
    opts.now,
    opts.now,
    opts.expiredBefore,
    opts.expiredBefore,
    opts.expiredBefore,
    opts.expiredBefore,
  ];
  let condition = "";
  if (opts.isBlocking) {
    condition = ` WHERE "LoginFailure"."count" < ? OR ${expired}`;
    params.push(opts.maxAttempts, opts.expiredBefore);
  }
  const rows = await q.all<Record<string, unknown>>(
    `INSERT INTO "LoginFailure" ("key","connectionId","identifier","ip","count","firstFailureAt","lastFailureAt") VALUES (?,?,?,?,1,?,?)
     ON CONFLICT ("key") DO UPDATE SET
       "count" = CASE WHEN ${expired} THEN 1 ELSE "LoginFailure"."count" + 1 END,
       "firstFailureAt" = CASE WHEN ${expired} THEN excluded."firstFailureAt" ELSE "LoginFailure"."firstFailureAt" END,
       "releasedAt" = CASE WHEN ${expired} AND "LoginFailure"."blockedAt" IS NOT NULL THEN excluded."lastFailureAt" ELSE NULL END,
       "blockedAt" = CASE WHEN ${expired} THEN NULL ELSE "LoginFailure"."blockedAt" END,
       "lastFailureAt" = excluded."lastFailureAt"${condition}
     RETURNING "count","releasedAt"`,
    params,
  );
  const r = rows[0];
  if (!r) return { isAdmitted: false };
  return {
    isAdmitted: true,
    count: Number(r.count),
    releasedExpiredBlock: r.releasedAt !== null && r.releasedAt !== undefined,
  };
}

/** One counter row, if any (a read: refusing an already blocked identifier needs no write). */
export async function findLoginFailure(q: TSqlRunner, key: string): Promise<TLoginFailureRow | null> {
  const rows = await q.all<Record<string, unknown>>(
    `SELECT ${FAILURE_COLUMNS} FROM "LoginFailure" WHERE "key" = ?`,
    [key],
  );
  return rows[0] ? toFailureRow(rows[0]) : null;
}

/** Mark the row blocked once its count reached `maxAttempts`. True for exactly one caller per block. */
export async function markLoginBlocked(
  q: TSqlRunner,
  key: string,
  maxAttempts: number,
  at: Date,
): Promise<boolean> {
  return (
    (await q.run(
      `UPDATE "LoginFailure" SET "blockedAt" = ? WHERE "key" = ? AND "blockedAt" IS NULL AND "count" >= ?`,
      [at, key, maxAttempts],
    )) === 1
  );
}

/** Delete counter rows by key (a successful login resets its counters). Returns the rows deleted. */
export async function deleteLoginFailures(q: TSqlRunner, keys: string[]): Promise<TLoginFailureRow[]> {
  if (keys.length === 0) return [];
  const rows = await q.all<Record<string, unknown>>(
    `DELETE FROM "LoginFailure" WHERE "key" IN (${keys.map(() => "?").join(",")}) RETURNING ${FAILURE_COLUMNS}`,
    keys,
  );
  return rows.map(toFailureRow);
}

/** Delete counters by key, with no answer: a write that can join a batch (`TRawSql.writeAll`). */
export async function clearLoginFailures(q: TSqlWriter, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await q.run(`DELETE FROM "LoginFailure" WHERE "key" IN (${keys.map(() => "?").join(",")})`, keys);
}

/** Delete every counter of these identifiers (any IP), optionally only in one connection. */
export async function deleteLoginFailuresForIdentifiers(
  q: TSqlRunner,
  identifiers: string[],
  connectionId?: string,
): Promise<TLoginFailureRow[]> {
  if (identifiers.length === 0) return [];
  const params: TSqlValue[] = [...identifiers];
  let where = `"identifier" IN (${identifiers.map(() => "?").join(",")})`;
  if (connectionId !== undefined) {
    where += ` AND "connectionId" = ?`;
    params.push(connectionId);
  }
  const rows = await q.all<Record<string, unknown>>(
    `DELETE FROM "LoginFailure" WHERE ${where} RETURNING ${FAILURE_COLUMNS}`,
    params,
  );
  return rows.map(toFailureRow);
}

/** End blocks whose count is now below the threshold (it was raised). Returns the rows released, as they were. */
export async function releaseBlocksBelow(q: TSqlRunner, maxAttempts: number): Promise<TLoginFailureRow[]> {
  const candidates = (
    await q.all<Record<string, unknown>>(
      `SELECT ${FAILURE_COLUMNS} FROM "LoginFailure" WHERE "blockedAt" IS NOT NULL AND "count" < ?`,
      [maxAttempts],
    )
  ).map(toFailureRow);
  if (candidates.length === 0) return [];
  // The UPDATE re-checks the condition, so a row that changed since the SELECT is left alone.
  const released = await q.all<{ key: string }>(
    `UPDATE "LoginFailure" SET "blockedAt" = NULL WHERE "key" IN (${candidates.map(() => "?").join(",")}) AND "blockedAt" IS NOT NULL AND "count" < ? RETURNING "key"`,
    [...candidates.map((c) => c.key), maxAttempts],
  );
  const keys = new Set(released.map((r) => r.key));
  return candidates.filter((c) => keys.has(c.key));
}

/** Delete every brute-force counter kept under these IP keys (any identifier). */
export async function deleteLoginFailuresForIps(q: TSqlRunner, ips: string[]): Promise<TLoginFailureRow[]> {
  if (ips.length === 0) return [];
  const rows = await q.all<Record<string, unknown>>(
    `DELETE FROM "LoginFailure" WHERE "ip" IN (${ips.map(() => "?").join(",")}) RETURNING ${FAILURE_COLUMNS}`,
    ips,
  );
  return rows.map(toFailureRow);
}

/** Counter rows at or above `minCount` whose last failure is not older than `since`, newest first. */
export async function listLoginFailures(
  q: TSqlRunner,
  opts: { minCount: number; since: Date; identifiers?: string[]; connectionId?: string; take?: number },
): Promise<TLoginFailureRow[]> {
  const params: TSqlValue[] = [opts.minCount, opts.since];
  let where = `"count" >= ? AND "lastFailureAt" >= ?`;
  if (opts.identifiers) {
    if (opts.identifiers.length === 0) return [];
    where += ` AND "identifier" IN (${opts.identifiers.map(() => "?").join(",")})`;
    params.push(...opts.identifiers);
  }
  if (opts.connectionId !== undefined) {
    where += ` AND "connectionId" = ?`;
    params.push(opts.connectionId);
  }
  params.push(opts.take ?? 1000);
  const rows = await q.all<Record<string, unknown>>(
    `SELECT ${FAILURE_COLUMNS} FROM "LoginFailure" WHERE ${where} ORDER BY "lastFailureAt" DESC LIMIT ?`,
    params,
  );
  return rows.map(toFailureRow);
}

/** Both one-row lookups LEFT JOINed to a single row, their columns prefixed `f_` and `i_`. */
const FAILURE_AND_IP_SQL =
  `SELECT ${[
    ...ROW_COLUMNS.map((c) => `f."${c}" AS "f_${c}"`),
    ...IP_THROTTLE_COLUMNS.map((c) => `i."${c}" AS "i_${c}"`),
  ].join(",")} FROM (SELECT 1 AS "one") o ` +
  `LEFT JOIN "LoginFailure" f ON f."key" = ? LEFT JOIN "IpThrottle" i ON i."ip" = ?`;

/**
 * The identifier's failure counter and the IP's bucket in one statement (one round trip), for the read that
 * admits or refuses a login before any write. Either may be skipped (null) when its policy does not apply.
 */
export async function findFailureAndIpBucket(
  q: TSqlRunner,
  failureKey: string | null,
  ip: string | null,
): Promise<{ failure: TLoginFailureRow | null; ipBucket: TIpThrottleRow | null }> {
  if (failureKey === null || ip === null) {
    return {
      failure: failureKey === null ? null : await findLoginFailure(q, failureKey),
      ipBucket: ip === null ? null : await findIpBucket(q, ip),
    };
  }
  const rows = await q.all<Record<string, unknown>>(FAILURE_AND_IP_SQL, [failureKey, ip]);
  const row = rows[0] ?? {};
  const part = (prefix: string) =>
    Object.fromEntries(
      Object.entries(row)
        .filter(([k]) => k.startsWith(prefix))
        .map(([k, v]) => [k.slice(prefix.length), v]),
    );
  const f = part("f_");
  const i = part("i_");
  return {
    failure: f.key === null || f.key === undefined ? null : toFailureRow(f),
    ipBucket: i.ip === null || i.ip === undefined ? null : toIpThrottleRow(i),
  };
}
