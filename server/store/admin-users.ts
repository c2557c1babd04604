import type { TDb } from "./db.ts";

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

/**
 * Count a failed sign-in atomically and lock the account once `threshold` consecutive failures are reached.
 * One UPDATE per step keeps the count exact when attempts race.
 */
export async function recordAdminFailure(
  db: TDb,
  id: string,
  at: Date,
  threshold: number,
  lockMs: number,
): Promise<void> {
  await db.adminUser.update({ where: { id }, data: { failedAttempts: { increment: 1 } } });
  await db.adminUser.updateMany({
    where: { id, failedAttempts: { gte: threshold } },
    data: { lockedUntil: new Date(at.getTime() + lockMs), failedAttempts: 0 },
  });
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
