import { newRowId, readDate, type TSqlRunner } from "./raw-sql.ts";
import { deleteMfaThrottle } from "./mfa-throttles.ts";

/** Every column of the `MfaAuthenticator` table, in schema order. */
export const MFA_AUTHENTICATOR_COLUMNS = [
  "id",
  "publicId",
  "userId",
  "type",
  "secretEnc",
  "codeHash",
  "active",
  "lastStep",
  "createdAt",
  "confirmedAt",
] as const;

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

const COLUMNS = MFA_AUTHENTICATOR_COLUMNS.map((c) => `"${c}"`).join(",");

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
export async function listAuthenticators(q: TSqlRunner, userId: string): Promise<TAuthenticatorRecord[]> {
  const rows = await q.all<Record<string, unknown>>(
    `SELECT ${COLUMNS} FROM "MfaAuthenticator" WHERE "userId" = ? ORDER BY "createdAt", "type", "id"`,
    [userId],
  );
  return rows.map(toRecord);
}

/** Whether the user has at least one active (verified) authenticator. */
export async function hasActiveAuthenticator(q: TSqlRunner, userId: string): Promise<boolean> {
  const rows = await q.all<Record<string, unknown>>(
    `SELECT "id" FROM "MfaAuthenticator" WHERE "userId" = ? AND "active" = ? LIMIT 1`,
    [userId, true],
  );
  return rows.length > 0;
}

/** Drop a user's unconfirmed enrolments (a new association replaces them). */
export async function deleteInactiveAuthenticators(q: TSqlRunner, userId: string): Promise<void> {
  await q.run(`DELETE FROM "MfaAuthenticator" WHERE "userId" = ? AND "active" = ?`, [userId, false]);
}

/** Insert a new (inactive unless stated) authenticator. */
export async function insertAuthenticator(
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
export async function claimTotpStep(q: TSqlRunner, id: string, step: number): Promise<boolean> {
  return (
    (await q.run(
      `UPDATE "MfaAuthenticator" SET "lastStep" = ? WHERE "id" = ? AND ("lastStep" IS NULL OR "lastStep" < ?)`,
      [step, id, step],
    )) === 1
  );
}

/** Activate every unconfirmed authenticator of a user (the OTP and its recovery code) at first verification. */
export async function activateAuthenticators(q: TSqlRunner, userId: string, at: Date): Promise<number> {
  return q.run(
    `UPDATE "MfaAuthenticator" SET "active" = ?, "confirmedAt" = ? WHERE "userId" = ? AND "active" = ?`,
    [true, at, userId, false],
  );
}

/** Swap a recovery code for a new one if it still holds `oldHash`; false when another request used it first. */
export async function rotateRecoveryCode(
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
export async function deleteAuthenticator(q: TSqlRunner, userId: string, publicId: string): Promise<boolean> {
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

export type TAuthenticatorView = {
  publicId: string;
  type: TAuthenticatorType;
  active: boolean;
  createdAt: Date;
  confirmedAt: Date | null;
};

/** A user's authenticators for the dashboard (no secrets). */
export async function listUserAuthenticators(q: TSqlRunner, userId: string): Promise<TAuthenticatorView[]> {
  return (await listAuthenticators(q, userId)).map((a) => ({
    publicId: a.publicId,
    type: a.type,
    active: a.active,
    createdAt: a.createdAt,
    confirmedAt: a.confirmedAt,
  }));
}

/** Remove every authenticator of a user and their wrong-code bucket (admin reset); returns how many there were. */
export async function deleteUserAuthenticators(q: TSqlRunner, userId: string): Promise<number> {
  return q.transaction(async (tx) => {
    const n = await tx.run(`DELETE FROM "MfaAuthenticator" WHERE "userId" = ?`, [userId]);
    await deleteMfaThrottle(tx, userId);
    return n;
  });
}

/** Insert an already-confirmed TOTP authenticator (users import with `mfa_factors`). */
export async function insertImportedTotp(
  q: TSqlRunner,
  a: { publicId: string; userId: string; secretEnc: string; at: Date },
): Promise<void> {
  await q.run(
    `INSERT INTO "MfaAuthenticator" ("id","publicId","userId","type","secretEnc","active","createdAt","confirmedAt") VALUES (?,?,?,?,?,?,?,?)`,
    [newRowId(), a.publicId, a.userId, "otp", a.secretEnc, true, a.at, a.at],
  );
}
