import { randomBytes } from "node:crypto";
import { generateSecret, generateURI, verify as verifyTotp } from "otplib";
import type { TDeps } from "../config/deps.ts";
import { isRole, type TRole } from "./roles.ts";
import {
  claimAdminTotpStep,
  countAdmins,
  enableAdminTotp,
  findAdminByEmail,
  findAdminById,
  insertAdmin,
  recordAdminSuccess,
  reserveAdminSignInAttempt,
  setAdminTotpSecret,
} from "../store/admin-users.ts";
import { assertAdminAllowed } from "./admin-access.ts";
import { CLI_ACTOR, type TActor } from "./audit.ts";

/**
 * Consecutive sign-in attempts that do not end in a sign-in (counted when they start, so attempts in flight count)
 * before an admin account locks, and for how long.
 */
export const ADMIN_LOCK_THRESHOLD = 5;
export const ADMIN_LOCK_MS = 15 * 60 * 1000;
const TOTP_PERIOD_S = 30;

export type TAdminSession = { id: string; email: string; role: TRole };

function generatePassword(): string {
  return randomBytes(18).toString("base64url");
}

/** Create a dashboard account with an Argon2id password (generated and returned when not given). Owners only. */
export async function createAdminAccount(
  deps: TDeps,
  actor: TActor,
  input: { email: string; role: string; password?: string },
): Promise<{ email: string; role: TRole; password?: string }> {
  assertAdminAllowed(actor, "admins:manage");
  const email = input.email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new Error(`Not an e-mail address: ${input.email}`);
  if (!isRole(input.role))
    throw new Error(`Unknown role '${input.role}' (owner, admin, rules-editor, security, viewer)`);
  if (input.password !== undefined && input.password.length < 12)
    throw new Error("Admin passwords need at least 12 characters.");
  if (await findAdminByEmail(deps.db, email))
    throw new Error(`An admin account for ${email} already exists.`);
  const password = input.password ?? generatePassword();
  const passwordHash = await deps.hasher.hash(password);
  await insertAdmin(deps.db, { email, role: input.role, passwordHash }, deps.clock.now());
  return { email, role: input.role, ...(input.password === undefined ? { password } : {}) };
}

/**
 * The first owner account, on a database without admins: from ADMIN_EMAIL/ADMIN_PASSWORD, or generated. Returns
 * what to print once, or null when admins already exist. Run by the server at start, before anyone can sign in: it
 * acts as the operator who started it (CLI_ACTOR).
 */
export async function ensureFirstAdmin(deps: TDeps): Promise<{ email: string; password?: string } | null> {
  if ((await countAdmins(deps.db)) > 0) return null;
  const email = deps.env.ADMIN_EMAIL ?? "admin@portcullis.local";
  try {
    return await createAdminAccount(deps, CLI_ACTOR, {
      email,
      role: "owner",
      password: deps.env.ADMIN_PASSWORD,
    });
  } catch (err) {
    // Another server process created it at the same moment.
    if ((await countAdmins(deps.db)) > 0) return null;
    throw err;
  }
}

export type TSignInResult =
  { ok: true; admin: TAdminSession } | { ok: false; reason: "invalid" | "otp_required" | "otp_invalid" };

/**
 * Check an admin sign-in: password (Argon2id), then TOTP when enrolled. Every attempt is first counted in one
 * atomic statement, before any hash: five consecutive attempts that do not end in a sign-in lock the account for
 * 15 minutes, and attempts refused by the lock never reach the password or the code, however many arrive at once
 * and on however many processes. Unknown e-mails and locked accounts cost a dummy hash and answer the same
 * "invalid" as a wrong password, so a guesser learns nothing; the lock shows only in the account's state.
 */
export async function verifyAdminSignIn(
  deps: TDeps,
  email: string,
  password: string,
  otp?: string,
): Promise<TSignInResult> {
  const now = deps.clock.now();
  const admin = await reserveAdminSignInAttempt(deps.db, email.trim().toLowerCase(), {
    now,
    maxAttempts: ADMIN_LOCK_THRESHOLD,
    lockMs: ADMIN_LOCK_MS,
  });
  if (!admin) {
    await deps.hasher.verifyDummy(password);
    return { ok: false, reason: "invalid" };
  }
  // From here on a refusal leaves the attempt counted. That includes "otp_required": the password was right, but
  // clearing the count there would let someone who has the password guess codes without end.
  if (!(await deps.hasher.verify(admin.passwordHash, password))) return { ok: false, reason: "invalid" };
  if (!isRole(admin.role)) return { ok: false, reason: "invalid" };
  if (admin.totpEnabledAt && admin.totpSecretEnc) {
    if (!otp) return { ok: false, reason: "otp_required" };
    const step = await checkTotp(deps, deps.box.open("admin-totp-seed", admin.totpSecretEnc), otp, now);
    if (step === null || !(await claimAdminTotpStep(deps.db, admin.id, step, now)))
      return { ok: false, reason: "otp_invalid" };
  }
  await recordAdminSuccess(deps.db, admin.id, now);
  return { ok: true, admin: { id: admin.id, email: admin.email, role: admin.role } };
}

/** The TOTP time step a code matches within ±1 step of `now`, or null. */
async function checkTotp(_deps: TDeps, secret: string, code: string, now: Date): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const epoch = Math.floor(now.getTime() / 1000);
  const result = await verifyTotp({ secret, token: code, epoch, epochTolerance: TOTP_PERIOD_S });
  if (!result.valid) return null;
  return Math.floor(epoch / TOTP_PERIOD_S) + result.delta;
}

/**
 * Begin the signed-in admin's own TOTP enrolment: a new sealed secret (not yet required) and its otpauth:// URI for
 * a QR code.
 */
export async function startAdminTotpEnrollment(
  deps: TDeps,
  self: TActor,
): Promise<{ secret: string; otpauthUri: string }> {
  assertAdminAllowed(self, "account:self");
  const admin = await findAdminById(deps.db, self.id);
  if (!admin) throw new Error("No such admin.");
  const secret = generateSecret();
  await setAdminTotpSecret(
    deps.db,
    admin.id,
    deps.box.seal("admin-totp-seed", secret),
    null,
    deps.clock.now(),
  );
  const otpauthUri = generateURI({ issuer: "Portcullis", label: admin.email, secret });
  return { secret, otpauthUri };
}

/** Finish the signed-in admin's own TOTP enrolment with a first valid code; from then on sign-in needs a code. */
export async function confirmAdminTotpEnrollment(deps: TDeps, self: TActor, code: string): Promise<boolean> {
  assertAdminAllowed(self, "account:self");
  const admin = await findAdminById(deps.db, self.id);
  if (!admin?.totpSecretEnc || admin.totpEnabledAt) return false;
  const now = deps.clock.now();
  const step = await checkTotp(deps, deps.box.open("admin-totp-seed", admin.totpSecretEnc), code, now);
  if (step === null || !(await claimAdminTotpStep(deps.db, admin.id, step, now))) return false;
  await enableAdminTotp(deps.db, admin.id, now);
  return true;
}
