import { newRowId, readDate, type TSqlRunner } from "./raw-sql.ts";

/** Every column of the `AdminUser` table, in schema order. */
export const ADMIN_USER_COLUMNS = [
  "id",
  "email",
  "passwordHash",
  "role",
  "totpSecretEnc",
  "totpEnabledAt",
  "totpLastStep",
  "failedAttempts",
  "lockedUntil",
  "lastLoginAt",
  "createdAt",
  "updatedAt",
] as const;

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

const SELECT = ADMIN_USER_COLUMNS.map((c) => `"${c}"`).join(",");

/** Find an admin account by e-mail (lower-cased). */
export async function findAdminByEmail(q: TSqlRunner, email: string): Promise<TAdminUserRecord | null> {
  const rows = await q.all<Record<string, unknown>>(`SELECT ${SELECT} FROM "AdminUser" WHERE "email" = ?`, [
    email.toLowerCase(),
  ]);
  return rows[0] ? toAdminRecord(rows[0]) : null;
}

/** Find an admin account by id. */
export async function findAdminById(q: TSqlRunner, id: string): Promise<TAdminUserRecord | null> {
  const rows = await q.all<Record<string, unknown>>(`SELECT ${SELECT} FROM "AdminUser" WHERE "id" = ?`, [id]);
  return rows[0] ? toAdminRecord(rows[0]) : null;
}

/** Number of admin accounts. */
export async function countAdmins(q: TSqlRunner): Promise<number> {
  const rows = await q.all<{ n: number | string }>(`SELECT COUNT(*) AS n FROM "AdminUser"`);
  return Number(rows[0]?.n ?? 0);
}

/** Create an admin account; fails with a unique violation (`isUniqueViolation`) if the e-mail is taken. */
export async function insertAdmin(
  q: TSqlRunner,
  data: { email: string; passwordHash: string; role: string },
  at: Date,
): Promise<TAdminUserRecord> {
  // A write through `all`: in a transaction, so the SQLite runner queues and retries it like any other write.
  const rows = await q.transaction((tx) =>
    tx.all<Record<string, unknown>>(
      `INSERT INTO "AdminUser" ("id","email","passwordHash","role","createdAt","updatedAt") VALUES (?,?,?,?,?,?) RETURNING ${SELECT}`,
      [newRowId(), data.email.toLowerCase(), data.passwordHash, data.role, at, at],
    ),
  );
  return toAdminRecord(rows[0]!);
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
         ELSE "lockedUntil" END,
       "updatedAt" = ?
     WHERE "email" = ? AND (${expired} OR ("lockedUntil" IS NULL AND "failedAttempts" < ?))
     RETURNING ${SELECT}`,
    [now, now, maxAttempts, lockEnd, now, now, email, now, maxAttempts],
  );
  return rows[0] ? toAdminRecord(rows[0]) : null;
}

/** A successful sign-in: clear failures and locks, remember the time and the TOTP step used. */
export async function recordAdminSuccess(
  q: TSqlRunner,
  id: string,
  at: Date,
  totpStep?: number,
): Promise<void> {
  await q.run(
    `UPDATE "AdminUser" SET "failedAttempts" = 0, "lockedUntil" = NULL, "lastLoginAt" = ?, "updatedAt" = ?${totpStep !== undefined ? `, "totpLastStep" = ?` : ""} WHERE "id" = ?`,
    totpStep !== undefined ? [at, at, totpStep, id] : [at, at, id],
  );
}

/**
 * Accept a TOTP step only if it is newer than the last one used, atomically, so a code cannot be replayed even by
 * two concurrent sign-ins.
 */
export async function claimAdminTotpStep(
  q: TSqlRunner,
  id: string,
  step: number,
  at: Date,
): Promise<boolean> {
  return (
    (await q.run(
      `UPDATE "AdminUser" SET "totpLastStep" = ?, "updatedAt" = ? WHERE "id" = ? AND ("totpLastStep" IS NULL OR "totpLastStep" < ?)`,
      [step, at, id, step],
    )) === 1
  );
}

/** Store a pending (not yet enabled) TOTP secret, sealed. */
export async function setAdminTotpSecret(
  q: TSqlRunner,
  id: string,
  sealed: string | null,
  enabledAt: Date | null,
  at: Date,
): Promise<void> {
  await q.run(
    `UPDATE "AdminUser" SET "totpSecretEnc" = ?, "totpEnabledAt" = ?, "totpLastStep" = NULL, "updatedAt" = ? WHERE "id" = ?`,
    [sealed, enabledAt, at, id],
  );
}

/** Mark TOTP as enabled. */
export async function enableAdminTotp(q: TSqlRunner, id: string, at: Date): Promise<void> {
  await q.run(`UPDATE "AdminUser" SET "totpEnabledAt" = ?, "updatedAt" = ? WHERE "id" = ?`, [at, at, id]);
}

/** Every admin's stored password hash (a handful of rows), so the hasher knows their kinds. */
export async function listAdminPasswordHashes(q: TSqlRunner): Promise<string[]> {
  const rows = await q.all<{ passwordHash: string }>(`SELECT "passwordHash" FROM "AdminUser"`);
  return rows.map((r) => String(r.passwordHash));
}
