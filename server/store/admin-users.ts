import type { TDb } from "./db.ts";
import { readDate, type TSqlRunner } from "./raw-sql.ts";

export type TAdminUserRecord = {
  id: string;
  email: string;
  passwordHash: string;
  role: string;
  totpSecretEnc: string | null;
  totpEnabledAt: Date | null;
  totpLastStep: number | null;
  failedAttempts: number;
  lockedUntil: Date | null;
  lastLoginAt: Date | null;
  createdAt: Date;
};

/** Find an admin account by e-mail (lower-cased). */
export async function findAdminByEmail(db: TDb, email: string): Promise<TAdminUserRecord | null> {
  return db.adminUser.findUnique({ where: { email: email.toLowerCase() } });
}

/** Find an admin account by id. */
export async function findAdminById(db: TDb, id: string): Promise<TAdminUserRecord | null> {
  return db.adminUser.findUnique({ where: { id } });
}

/** Number of admin accounts. */
export async function countAdmins(db: TDb): Promise<number> {
  return db.adminUser.count();
}

/** Create an admin account; fails if the e-mail is taken. */
export async function insertAdmin(
  db: TDb,
  data: { email: string; passwordHash: string; role: string },
): Promise<TAdminUserRecord> {
  return db.adminUser.create({ data: { ...data, email: data.email.toLowerCase() } });
}

const ADMIN_COLUMNS = `"id","email","passwordHash","role","totpSecretEnc","totpEnabledAt","totpLastStep","failedAttempts","lockedUntil","lastLoginAt","createdAt"`;

function readOptionalDate(v: unknown): Date | null {
  return v === null || v === undefined ? null : readDate(v);
}

function toAdminRecord(r: Record<string, unknown>): TAdminUserRecord {
  return {
    id: String(r.id),
    email: String(r.email),
    passwordHash: String(r.passwordHash),
    role: String(r.role),
    totpSecretEnc: r.totpSecretEnc === null || r.totpSecretEnc === undefined ? null : String(r.totpSecretEnc),
    totpEnabledAt: readOptionalDate(r.totpEnabledAt),
    totpLastStep: r.totpLastStep === null || r.totpLastStep === undefined ? null : Number(r.totpLastStep),
    failedAttempts: Number(r.failedAttempts),
    lockedUntil: readOptionalDate(r.lockedUntil),
    lastLoginAt: readOptionalDate(r.lastLoginAt),
    createdAt: readDate(r.createdAt),
  };
}

/**
 * Take one sign-in attempt of the account with this (lower-cased) e-mail before its password is checked, in one
 * statement: the attempt counts as a failure unless the sign-in then succeeds (recordAdminSuccess clears it). The
 * count only grows while the account is not locked; the attempt that reaches `maxAttempts` starts the lock, so of
 * any number of concurrent attempts, across processes, at most `maxAttempts` get to check a password. A lock past
 * its end restarts the count at 1. Returns the account as it is now, or null when there is none or it is locked.
 */
export async function reserveAdminSignInAttempt(
  q: TSqlRunner,
  email: string,
  opts: { now: Date; maxAttempts: number; lockMs: number },
): Promise<TAdminUserRecord | null> {
  const { now, maxAttempts } = opts;
  const lockEnd = new Date(now.getTime() + opts.lockMs);
  const expired = `"lockedUntil" <= ?`;
  const rows = await q.all<Record<string, unknown>>(
    `UPDATE "AdminUser" SET
       "failedAttempts" = CASE WHEN ${expired} THEN 1 ELSE "failedAttempts" + 1 END,
       "lockedUntil" = CASE
         WHEN (CASE WHEN ${expired} THEN 1 ELSE "failedAttempts" + 1 END) >= ? THEN ?
         WHEN ${expired} THEN NULL
         ELSE "lockedUntil" END
     WHERE "email" = ? AND (${expired} OR ("lockedUntil" IS NULL AND "failedAttempts" < ?))
     RETURNING ${ADMIN_COLUMNS}`,
    [now, now, maxAttempts, lockEnd, now, email, now, maxAttempts],
  );
  return rows[0] ? toAdminRecord(rows[0]) : null;
}

/** A successful sign-in: clear failures and locks, remember the time and the TOTP step used. */
export async function recordAdminSuccess(db: TDb, id: string, at: Date, totpStep?: number): Promise<void> {
  await db.adminUser.update({
    where: { id },
    data: {
      failedAttempts: 0,
      lockedUntil: null,
      lastLoginAt: at,
      ...(totpStep !== undefined ? { totpLastStep: totpStep } : {}),
    },
  });
}

/**
 * Accept a TOTP step only if it is newer than the last one used, atomically, so a code cannot be replayed even by
 * two concurrent sign-ins.
 */
export async function claimAdminTotpStep(db: TDb, id: string, step: number): Promise<boolean> {
  const { count } = await db.adminUser.updateMany({
    where: { id, OR: [{ totpLastStep: null }, { totpLastStep: { lt: step } }] },
    data: { totpLastStep: step },
  });
  return count === 1;
}

/** Store a pending (not yet enabled) TOTP secret, sealed. */
export async function setAdminTotpSecret(
  db: TDb,
  id: string,
  sealed: string | null,
  enabledAt: Date | null,
): Promise<void> {
  await db.adminUser.update({
    where: { id },
    data: { totpSecretEnc: sealed, totpEnabledAt: enabledAt, totpLastStep: null },
  });
}

/** Mark TOTP as enabled. */
export async function enableAdminTotp(db: TDb, id: string, at: Date): Promise<void> {
  await db.adminUser.update({ where: { id }, data: { totpEnabledAt: at } });
}

/** Every admin's stored password hash (a handful of rows), so the hasher knows their kinds. */
export async function listAdminPasswordHashes(db: TDb): Promise<string[]> {
  const rows = await db.adminUser.findMany({ select: { passwordHash: true } });
  return rows.map((r) => r.passwordHash);
}
