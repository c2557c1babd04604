import { randomBytes } from "node:crypto";
import { parseJsonColumn } from "./json.ts";
import { readDate, type TRawSql, type TSqlRunner, type TSqlValue, type TSqlWriter } from "./raw-sql.ts";

// Attack-protection state in plain SQL (the login hot path, see raw-sql.ts). Every counter change is one atomic
// statement — an upsert-increment with a condition, or an UPDATE/DELETE — never a read followed by a write, so
// counts stay exact under concurrency and across server processes sharing one database (house rule 7).

export type TDialect = TRawSql["kind"];

/**
 * Run one statement on its own. SQLite shares one connection per process, so a bare statement issued while
 * another request's transaction is open would join (and roll back with) it; the transaction wrapper waits for it
 * instead and retries a busy database. PostgreSQL runs a single statement atomically on any pooled connection.
 */
export function runAlone<T>(sql: TRawSql, fn: (q: TSqlRunner) => Promise<T>): Promise<T> {
  return sql.kind === "sqlite" ? sql.transaction(fn) : fn(sql);
}

// ─── Policies ────────────────────────────────────────────────────────────────────────────────────────────────

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

// ─── Brute-force counters ────────────────────────────────────────────────────────────────────────────────────

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

const FAILURE_COLUMNS = `"key","connectionId","identifier","ip","count","firstFailureAt","lastFailureAt","blockedAt"`;
const IP_COLUMNS = `"ip","tat","lastFailureAt","blockedAt"`;

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

// ─── Suspicious-IP buckets ───────────────────────────────────────────────────────────────────────────────────

/**
 * Take one attempt from the IP's bucket if one is left (generic cell rate algorithm, one statement). An admitted
 * attempt also ends a recorded block. Returns whether the attempt was admitted.
 */
export async function reserveIpAttempt(
  q: TSqlRunner,
  dialect: TDialect,
  ip: string,
  opts: { now: Date; rateMs: number; maxAttempts: number },
): Promise<boolean> {
  const max = dialect === "postgres" ? "GREATEST" : "MAX";
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
  return rows[0] ? toIpRow(rows[0]) : null;
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

/** Both one-row lookups LEFT JOINed to a single row, their columns prefixed `f_` and `i_`. */
const FAILURE_AND_IP_SQL =
  `SELECT ${[
    ...FAILURE_COLUMNS.split(",").map((c) => `f.${c} AS "f_${c.slice(1, -1)}"`),
    ...IP_COLUMNS.split(",").map((c) => `i.${c} AS "i_${c.slice(1, -1)}"`),
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
    ipBucket: i.ip === null || i.ip === undefined ? null : toIpRow(i),
  };
}

export type TIpThrottleRow = { ip: string; tat: number; lastFailureAt: Date; blockedAt: Date | null };

function toIpRow(r: Record<string, unknown>): TIpThrottleRow {
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
    `SELECT "ip","tat","lastFailureAt","blockedAt" FROM "IpThrottle" WHERE ${where} ORDER BY "tat" DESC LIMIT ?`,
    params,
  );
  return rows.map(toIpRow);
}

/** Forget the buckets kept under these IP keys (admin unblock). Returns the deleted rows. */
export async function deleteIpBuckets(q: TSqlRunner, ips: string[]): Promise<TIpThrottleRow[]> {
  if (ips.length === 0) return [];
  const rows = await q.all<Record<string, unknown>>(
    `DELETE FROM "IpThrottle" WHERE "ip" IN (${ips.map(() => "?").join(",")}) RETURNING ${IP_COLUMNS}`,
    ips,
  );
  return rows.map(toIpRow);
}

// ─── Unblock links ───────────────────────────────────────────────────────────────────────────────────────────

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

// ─── Notifications ───────────────────────────────────────────────────────────────────────────────────────────

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

export type TNotificationRecord = {
  id: string;
  createdAt: Date;
  kind: string;
  recipient: string | null;
  subject: string;
  text: string;
  transport: "outbox" | "smtp";
  status: "outbox" | "pending" | "sent" | "failed" | "no_recipient";
  error: string | null;
  sentAt: Date | null;
};

/** Insert a notification row; returns its id. */
export async function insertNotification(
  q: TSqlRunner,
  n: Omit<TNotificationRecord, "id" | "error" | "sentAt">,
): Promise<string> {
  const id = `ntf_${n.createdAt.getTime().toString(36)}${randomBytes(8).toString("hex")}`;
  await q.run(
    `INSERT INTO "Notification" ("id","createdAt","kind","recipient","subject","text","transport","status") VALUES (?,?,?,?,?,?,?,?)`,
    [id, n.createdAt, n.kind, n.recipient, n.subject, n.text, n.transport, n.status],
  );
  return id;
}

/** Record the outcome of an SMTP delivery. */
export async function updateNotificationStatus(
  q: TSqlRunner,
  id: string,
  status: "sent" | "failed",
  at: Date,
  error: string | null,
): Promise<void> {
  await q.run(`UPDATE "Notification" SET "status" = ?, "sentAt" = ?, "error" = ? WHERE "id" = ?`, [
    status,
    status === "sent" ? at : null,
    error,
    id,
  ]);
}

/** Newest notifications first. */
export async function listNotifications(
  q: TSqlRunner,
  opts: { take?: number; kind?: string } = {},
): Promise<TNotificationRecord[]> {
  const params: TSqlValue[] = [];
  let where = "";
  if (opts.kind !== undefined) {
    where = `WHERE "kind" = ?`;
    params.push(opts.kind);
  }
  params.push(Math.min(Math.max(opts.take ?? 50, 1), 1000));
  const rows = await q.all<Record<string, unknown>>(
    `SELECT "id","createdAt","kind","recipient","subject","text","transport","status","error","sentAt" FROM "Notification" ${where} ORDER BY "createdAt" DESC, "id" DESC LIMIT ?`,
    params,
  );
  return rows.map((r) => ({
    id: String(r.id),
    createdAt: readDate(r.createdAt),
    kind: String(r.kind),
    recipient: r.recipient === null ? null : String(r.recipient),
    subject: String(r.subject),
    text: String(r.text),
    transport: String(r.transport) as TNotificationRecord["transport"],
    status: String(r.status) as TNotificationRecord["status"],
    error: r.error === null ? null : String(r.error),
    sentAt: r.sentAt === null ? null : readDate(r.sentAt),
  }));
}

// ─── Users ───────────────────────────────────────────────────────────────────────────────────────────────────

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
