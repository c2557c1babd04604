import type { TDb, TTx } from "./db.ts";
import { readDate, type TSqlRunner } from "./raw-sql.ts";

// MFA authenticators and the wrong-code bucket. Token-endpoint paths use plain SQL (see raw-sql.ts); the
// dashboard reads and resets through Prisma.

export type TAuthenticatorType = "otp" | "recovery-code";

export type TAuthenticatorRecord = {
  id: string;
  publicId: string;
  userId: string;
  type: TAuthenticatorType;
  secretEnc: string | null;
  codeHash: string | null;
  active: boolean;
  lastStep: number | null;
  createdAt: Date;
  confirmedAt: Date | null;
};

const COLUMNS = `"id","publicId","userId","type","secretEnc","codeHash","active","lastStep","createdAt","confirmedAt"`;

function toRecord(r: Record<string, unknown>): TAuthenticatorRecord {
  return {
    id: String(r.id),
    publicId: String(r.publicId),
    userId: String(r.userId),
    type: r.type === "recovery-code" ? "recovery-code" : "otp",
    secretEnc: r.secretEnc === null ? null : String(r.secretEnc),
    codeHash: r.codeHash === null ? null : String(r.codeHash),
    active: Boolean(r.active),
    lastStep: r.lastStep === null ? null : Number(r.lastStep),
    createdAt: readDate(r.createdAt),
    confirmedAt: r.confirmedAt === null ? null : readDate(r.confirmedAt),
  };
}

/** All authenticators of a user (internal id), oldest first. */
export async function listAuthenticatorsRaw(q: TSqlRunner, userId: string): Promise<TAuthenticatorRecord[]> {
  const rows = await q.all<Record<string, unknown>>(
    `SELECT ${COLUMNS} FROM "MfaAuthenticator" WHERE "userId" = ? ORDER BY "createdAt", "type", "id"`,
    [userId],
  );
  return rows.map(toRecord);
}

/** Whether the user has at least one active (verified) authenticator. */
export async function hasActiveAuthenticatorRaw(q: TSqlRunner, userId: string): Promise<boolean> {
  const rows = await q.all<Record<string, unknown>>(
    `SELECT "id" FROM "MfaAuthenticator" WHERE "userId" = ? AND "active" = ? LIMIT 1`,
    [userId, true],
  );
  return rows.length > 0;
}

/** Drop a user's unconfirmed enrolments (a new association replaces them). */
export async function deleteInactiveAuthenticatorsRaw(q: TSqlRunner, userId: string): Promise<void> {
  await q.run(`DELETE FROM "MfaAuthenticator" WHERE "userId" = ? AND "active" = ?`, [userId, false]);
}

/** Insert a new (inactive unless stated) authenticator. */
export async function insertAuthenticatorRaw(
  q: TSqlRunner,
  a: Omit<TAuthenticatorRecord, "lastStep" | "confirmedAt">,
): Promise<void> {
  await q.run(
    `INSERT INTO "MfaAuthenticator" ("id","publicId","userId","type","secretEnc","codeHash","active","createdAt") VALUES (?,?,?,?,?,?,?,?)`,
    [a.id, a.publicId, a.userId, a.type, a.secretEnc, a.codeHash, a.active, a.createdAt],
  );
}

/**
 * Accept TOTP time step `step` for an authenticator. One conditional UPDATE decides, so a code is accepted once
 * even when two requests race (across processes too).
 */
export async function claimTotpStepRaw(q: TSqlRunner, id: string, step: number): Promise<boolean> {
  return (
    (await q.run(
      `UPDATE "MfaAuthenticator" SET "lastStep" = ? WHERE "id" = ? AND ("lastStep" IS NULL OR "lastStep" < ?)`,
      [step, id, step],
    )) === 1
  );
}

/** Activate every unconfirmed authenticator of a user (the OTP and its recovery code) at first verification. */
export async function activateAuthenticatorsRaw(q: TSqlRunner, userId: string, at: Date): Promise<number> {
  return q.run(
    `UPDATE "MfaAuthenticator" SET "active" = ?, "confirmedAt" = ? WHERE "userId" = ? AND "active" = ?`,
    [true, at, userId, false],
  );
}

/** Swap a recovery code for a new one if it still holds `oldHash`; false when another request used it first. */
export async function rotateRecoveryCodeRaw(
  q: TSqlRunner,
  id: string,
  oldHash: string,
  newHash: string,
): Promise<boolean> {
  return (
    (await q.run(`UPDATE "MfaAuthenticator" SET "codeHash" = ? WHERE "id" = ? AND "codeHash" = ?`, [
      newHash,
      id,
      oldHash,
    ])) === 1
  );
}

/** Delete one authenticator of a user by its public id; deleting the OTP also drops the recovery code. */
export async function deleteAuthenticatorRaw(
  q: TSqlRunner,
  userId: string,
  publicId: string,
): Promise<boolean> {
  const n = await q.run(`DELETE FROM "MfaAuthenticator" WHERE "userId" = ? AND "publicId" = ?`, [
    userId,
    publicId,
  ]);
  if (n === 0) return false;
  const left = await q.all<Record<string, unknown>>(
    `SELECT "id" FROM "MfaAuthenticator" WHERE "userId" = ? AND "type" = ? LIMIT 1`,
    [userId, "otp"],
  );
  if (left.length === 0) await q.run(`DELETE FROM "MfaAuthenticator" WHERE "userId" = ?`, [userId]);
  return true;
}

/**
 * Take one slot from a user's wrong-code bucket (GCRA: `tatMs` is when the bucket is full again). One conditional
 * UPDATE decides, so the bucket holds exactly under concurrency and across processes. Returns false when empty.
 */
export async function takeMfaAttemptRaw(
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
export async function returnMfaAttemptRaw(q: TSqlRunner, userId: string, intervalMs: number): Promise<void> {
  await q.run(`UPDATE "MfaThrottle" SET "tatMs" = "tatMs" - ? WHERE "userId" = ?`, [intervalMs, userId]);
}

export type TAuthenticatorView = {
  publicId: string;
  type: TAuthenticatorType;
  active: boolean;
  createdAt: Date;
  confirmedAt: Date | null;
};

/** A user's authenticators for the dashboard (no secrets). */
export async function listUserAuthenticators(db: TDb | TTx, userId: string): Promise<TAuthenticatorView[]> {
  const rows = await db.mfaAuthenticator.findMany({
    where: { userId },
    orderBy: [{ createdAt: "asc" }, { type: "asc" }, { id: "asc" }],
    select: { publicId: true, type: true, active: true, createdAt: true, confirmedAt: true },
  });
  return rows.map((r) => ({ ...r, type: r.type === "recovery-code" ? "recovery-code" : "otp" }));
}

/** Remove every authenticator of a user (admin reset); returns how many there were. */
export async function deleteUserAuthenticators(tx: TTx, userId: string): Promise<number> {
  const { count } = await tx.mfaAuthenticator.deleteMany({ where: { userId } });
  await tx.mfaThrottle.deleteMany({ where: { userId } });
  return count;
}

/** Insert an already-confirmed TOTP authenticator (users import with `mfa_factors`). */
export async function insertImportedTotp(
  tx: TTx,
  a: { publicId: string; userId: string; secretEnc: string; at: Date },
): Promise<void> {
  await tx.mfaAuthenticator.create({
    data: {
      publicId: a.publicId,
      userId: a.userId,
      type: "otp",
      secretEnc: a.secretEnc,
      active: true,
      createdAt: a.at,
      confirmedAt: a.at,
    },
  });
}
