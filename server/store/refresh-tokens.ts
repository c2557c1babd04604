import { readDate, type TSqlRunner, type TSqlWriter } from "./raw-sql.ts";

/** Every column of the `RefreshToken` table, in schema order. */
export const REFRESH_TOKEN_COLUMNS = [
  "id",
  "tokenHash",
  "familyId",
  "clientId",
  "userId",
  "audience",
  "scope",
  "createdAt",
  "expiresAt",
  "idleExpiresAt",
  "rotatedAt",
  "revokedAt",
] as const;

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

/** A stored refresh token; the token's hash is what it is looked up by, so it is not repeated here. */
export type TRefreshTokenRecord = Omit<TNewRefreshToken, "tokenHash"> & {
  rotatedAt: Date | null;
  revokedAt: Date | null;
};

const SELECT = REFRESH_TOKEN_COLUMNS.filter((c) => c !== "tokenHash")
  .map((c) => `"${c}"`)
  .join(",");

function toRefreshToken(r: Record<string, unknown>): TRefreshTokenRecord {
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

/** Insert a refresh token row (inside the caller's transaction or batch). */
export async function insertRefreshToken(q: TSqlWriter, t: TNewRefreshToken): Promise<void> {
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

/** Look up a refresh token by its hash. */
export async function findRefreshToken(
  q: TSqlRunner,
  tokenHash: string,
): Promise<TRefreshTokenRecord | null> {
  const rows = await q.all<Record<string, unknown>>(
    `SELECT ${SELECT} FROM "RefreshToken" WHERE "tokenHash" = ?`,
    [tokenHash],
  );
  return rows[0] ? toRefreshToken(rows[0]) : null;
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
 * Revoke every live refresh token of these users (internal ids): a password change, an admin block or an import
 * that changes a password ends the sessions they hold, and the refresh grant then answers Auth0's invalid_grant.
 * Returns how many were live.
 */
export async function revokeUserRefreshTokens(q: TSqlRunner, userIds: string[], at: Date): Promise<number> {
  if (userIds.length === 0) return 0;
  return q.run(
    `UPDATE "RefreshToken" SET "revokedAt" = ? WHERE "userId" IN (${userIds.map(() => "?").join(",")}) AND "revokedAt" IS NULL`,
    [at, ...userIds],
  );
}

/** Extend the idle window of a non-rotating token that was just used. */
export async function touchRefreshToken(q: TSqlRunner, id: string, idleExpiresAt: Date): Promise<void> {
  await q.run(`UPDATE "RefreshToken" SET "idleExpiresAt" = ? WHERE "id" = ?`, [idleExpiresAt, id]);
}

/** Delete every refresh token of a user (internal id), live or not: the user is being deleted. Returns how many. */
export async function deleteUserRefreshTokens(q: TSqlRunner, userId: string): Promise<number> {
  return q.run(`DELETE FROM "RefreshToken" WHERE "userId" = ?`, [userId]);
}
