import type { TLogEvent } from "../audit/events.ts";
import { scrubSecrets } from "../audit/events.ts";
import { newLogId } from "./log-ids.ts";
import { readDate, type TRawSql, type TSqlRunner, type TSqlWriter } from "./raw-sql.ts";
import type { TUserRecord } from "./users.ts";
import type { TTx } from "./db.ts";
import { parseJsonColumn } from "./json.ts";

// The login hot path in plain SQL (see raw-sql.ts for why). Column names are Prisma's.

const USER_COLUMNS = `"id","userId","connectionId","email","emailVerified","username","name","nickname","givenName","familyName","picture","phoneNumber","phoneVerified","passwordHash","blocked","appMetadata","userMetadata","loginsCount","lastLogin","lastIp","lastPasswordReset","passwordLeakedAt","createdAt","updatedAt"`;

type TUserRow = Record<string, unknown>;

function toUser(r: TUserRow): TUserRecord {
  const optDate = (v: unknown) => (v === null || v === undefined ? null : readDate(v));
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    id: String(r.id),
    userId: String(r.userId),
    connectionId: String(r.connectionId),
    email: str(r.email),
    emailVerified: Boolean(r.emailVerified),
    username: str(r.username),
    name: str(r.name),
    nickname: str(r.nickname),
    givenName: str(r.givenName),
    familyName: str(r.familyName),
    picture: str(r.picture),
    phoneNumber: str(r.phoneNumber),
    phoneVerified: Boolean(r.phoneVerified),
    passwordHash: str(r.passwordHash),
    blocked: Boolean(r.blocked),
    appMetadata: parseJsonColumn<Record<string, unknown>>(str(r.appMetadata), {}),
    userMetadata: parseJsonColumn<Record<string, unknown>>(str(r.userMetadata), {}),
    loginsCount: Number(r.loginsCount),
    lastLogin: optDate(r.lastLogin),
    lastIp: str(r.lastIp),
    lastPasswordReset: optDate(r.lastPasswordReset),
    passwordLeakedAt: optDate(r.passwordLeakedAt),
    createdAt: readDate(r.createdAt),
    updatedAt: readDate(r.updatedAt),
  };
}

/** Find a user of one connection by email (case-insensitive) or username, in one indexed query. */
export async function findLoginUser(
  sql: TRawSql,
  connectionId: string,
  identifier: string,
): Promise<TUserRecord | null> {
  const lower = identifier.toLowerCase();
  const rows = await sql.all<TUserRow>(
    `SELECT ${USER_COLUMNS} FROM "User" WHERE "connectionId" = ? AND ("email" = ? OR "username" = ?) LIMIT 2`,
    [connectionId, lower, identifier],
  );
  // An email match wins over a username that happens to look like someone else's email.
  const row = rows.find((r) => r.email === lower) ?? rows[0];
  return row ? toUser(row) : null;
}

/** Insert the audit record of a refused attempt without waiting for the disk (see `TRawSql.runRelaxed`). */
export async function insertLogRelaxed(sql: TRawSql, event: TLogEvent, at: Date): Promise<string> {
  return insertLogRaw({ run: sql.runRelaxed }, event, at);
}

/** Insert one audit record (inside the caller's transaction or batch). */
export async function insertLogRaw(q: TSqlWriter, event: TLogEvent, at: Date): Promise<string> {
  const id = newLogId(at);
  await q.run(
    `INSERT INTO "LogEvent" ("id","date","type","description","clientId","clientName","connection","connectionId","userId","userName","ip","clientIp","userAgent","hostname","audience","scope","strategy","details") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
    [
      id,
      at,
      event.type,
      event.description ?? null,
      event.client_id ?? null,
      event.client_name ?? null,
      event.connection ?? null,
      event.connection_id ?? null,
      event.user_id ?? null,
      event.user_name ?? null,
      event.ip ?? null,
      event.client_ip ?? null,
      event.user_agent ?? null,
      event.hostname ?? null,
      event.audience ?? null,
      event.scope ?? null,
      event.strategy ?? null,
      JSON.stringify(scrubSecrets(event.details ?? {})),
    ],
  );
  return id;
}

export type TNewRefreshToken = {
  id: string;
  tokenHash: string;
  familyId: string;
  clientId: string;
  userId: string;
  audience: string | null;
  scope: string;
  createdAt: Date;
  expiresAt: Date;
  idleExpiresAt: Date;
};

/** Insert a refresh token row. */
export async function insertRefreshTokenRaw(q: TSqlWriter, t: TNewRefreshToken): Promise<void> {
  await q.run(
    `INSERT INTO "RefreshToken" ("id","tokenHash","familyId","clientId","userId","audience","scope","createdAt","expiresAt","idleExpiresAt") VALUES (?,?,?,?,?,?,?,?,?,?)`,
    [
      t.id,
      t.tokenHash,
      t.familyId,
      t.clientId,
      t.userId,
      t.audience,
      t.scope,
      t.createdAt,
      t.expiresAt,
      t.idleExpiresAt,
    ],
  );
}

/** Record a successful login (count, time, IP, upgraded hash). */
export async function recordLoginRaw(
  q: TSqlWriter,
  id: string,
  at: Date,
  ip: string | undefined,
  upgradedHash?: string,
): Promise<void> {
  if (upgradedHash) {
    await q.run(
      `UPDATE "User" SET "loginsCount" = "loginsCount" + 1, "lastLogin" = ?, "lastIp" = ?, "passwordHash" = ?, "updatedAt" = ? WHERE "id" = ?`,
      [at, ip ?? null, upgradedHash, at, id],
    );
  } else {
    await q.run(
      `UPDATE "User" SET "loginsCount" = "loginsCount" + 1, "lastLogin" = ?, "lastIp" = ?, "updatedAt" = ? WHERE "id" = ?`,
      [at, ip ?? null, at, id],
    );
  }
}

/** Find a user by internal id. */
export async function findUserByIdRaw(sql: TSqlRunner, id: string): Promise<TUserRecord | null> {
  const rows = await sql.all<TUserRow>(`SELECT ${USER_COLUMNS} FROM "User" WHERE "id" = ?`, [id]);
  return rows[0] ? toUser(rows[0]) : null;
}

export type TRefreshTokenRecord = {
  id: string;
  familyId: string;
  clientId: string;
  userId: string;
  audience: string | null;
  scope: string;
  createdAt: Date;
  expiresAt: Date;
  idleExpiresAt: Date;
  rotatedAt: Date | null;
  revokedAt: Date | null;
};

/** Look up a refresh token by its hash. */
export async function findRefreshToken(
  sql: TSqlRunner,
  tokenHash: string,
): Promise<TRefreshTokenRecord | null> {
  const rows = await sql.all<Record<string, unknown>>(
    `SELECT "id","familyId","clientId","userId","audience","scope","createdAt","expiresAt","idleExpiresAt","rotatedAt","revokedAt" FROM "RefreshToken" WHERE "tokenHash" = ?`,
    [tokenHash],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    id: String(r.id),
    familyId: String(r.familyId),
    clientId: String(r.clientId),
    userId: String(r.userId),
    audience: r.audience === null ? null : String(r.audience),
    scope: String(r.scope),
    createdAt: readDate(r.createdAt),
    expiresAt: readDate(r.expiresAt),
    idleExpiresAt: readDate(r.idleExpiresAt),
    rotatedAt: r.rotatedAt === null ? null : readDate(r.rotatedAt),
    revokedAt: r.revokedAt === null ? null : readDate(r.revokedAt),
  };
}

/**
 * Atomically mark a token as rotated. Exactly one caller wins, even across server processes, because the
 * condition and the write are one UPDATE; the loser sees `false` and treats the exchange as reuse.
 */
export async function claimRefreshToken(q: TSqlRunner, id: string, at: Date): Promise<boolean> {
  return (
    (await q.run(
      `UPDATE "RefreshToken" SET "rotatedAt" = ? WHERE "id" = ? AND "rotatedAt" IS NULL AND "revokedAt" IS NULL`,
      [at, id],
    )) === 1
  );
}

/** Revoke every live token of a rotation family (reuse detected). Returns how many were live. */
export async function revokeRefreshFamily(q: TSqlRunner, familyId: string, at: Date): Promise<number> {
  return q.run(`UPDATE "RefreshToken" SET "revokedAt" = ? WHERE "familyId" = ? AND "revokedAt" IS NULL`, [
    at,
    familyId,
  ]);
}

/**
 * Revoke every live refresh token of these users (internal ids): a password change or an admin block ends the
 * sessions they hold, and the refresh grant then answers Auth0's invalid_grant. Returns how many were live.
 */
export async function revokeUserRefreshTokens(q: TSqlRunner, userIds: string[], at: Date): Promise<number> {
  if (userIds.length === 0) return 0;
  return q.run(
    `UPDATE "RefreshToken" SET "revokedAt" = ? WHERE "userId" IN (${userIds.map(() => "?").join(",")}) AND "revokedAt" IS NULL`,
    [at, ...userIds],
  );
}

/** revokeUserRefreshTokens inside a Prisma transaction (the admin block and the user import run in one). */
export async function revokeUserRefreshTokensTx(tx: TTx, userIds: string[], at: Date): Promise<number> {
  if (userIds.length === 0) return 0;
  const { count } = await tx.refreshToken.updateMany({
    where: { userId: { in: userIds }, revokedAt: null },
    data: { revokedAt: at },
  });
  return count;
}

/** Extend the idle window of a non-rotating token that was just used. */
export async function touchRefreshToken(q: TSqlRunner, id: string, idleExpiresAt: Date): Promise<void> {
  await q.run(`UPDATE "RefreshToken" SET "idleExpiresAt" = ? WHERE "id" = ?`, [idleExpiresAt, id]);
}

/**
 * Apply rule metadata patches (Auth0 PATCH semantics: top-level keys merge, `null` deletes a key) to one user. Call
 * inside a transaction: on PostgreSQL the row is locked first, so concurrent logins of the same user never lose a
 * write; on SQLite the transaction already holds the write lock.
 */
export async function applyMetadataPatchRaw(
  q: TSqlRunner,
  kind: "sqlite" | "postgres",
  id: string,
  patch: { app: Record<string, unknown> | null; user: Record<string, unknown> | null },
  at: Date,
): Promise<void> {
  if (!patch.app && !patch.user) return;
  const rows = await q.all<{ appMetadata: string; userMetadata: string }>(
    `SELECT "appMetadata","userMetadata" FROM "User" WHERE "id" = ?${kind === "postgres" ? " FOR UPDATE" : ""}`,
    [id],
  );
  const row = rows[0];
  if (!row) return;
  const merge = (text: string, p: Record<string, unknown> | null) => {
    const current = parseJsonColumn<Record<string, unknown>>(text, {});
    if (!p) return text;
    for (const [k, v] of Object.entries(p)) {
      if (v === null) delete current[k];
      else current[k] = v;
    }
    return JSON.stringify(current);
  };
  await q.run(`UPDATE "User" SET "appMetadata" = ?, "userMetadata" = ?, "updatedAt" = ? WHERE "id" = ?`, [
    merge(row.appMetadata, patch.app),
    merge(row.userMetadata, patch.user),
    at,
    id,
  ]);
}
