import type { TDeps } from "../config/deps.ts";
import type { TMfaPolicy } from "../store/tenant.ts";
import { getTenant, updateTenant } from "../store/tenant.ts";
import { findUserByUserId } from "../store/users.ts";
import { deleteUserAuthenticators, listUserAuthenticators } from "../store/mfa-authenticators.ts";
import { recordAdminChange } from "./audit.ts";
import { AdminError } from "./admin-error.ts";
import { assertAdminAllowed } from "./admin-access.ts";
import type { TActor } from "./audit.ts";
import type { TAdmin } from "./session.ts";

export type TMfaSettings = { policy: TMfaPolicy; otp: boolean; recoveryCode: boolean };

/** The MFA screen: tenant policy and enabled factors. */
export async function getMfaSettings(deps: TDeps, admin: TActor): Promise<TMfaSettings> {
  assertAdminAllowed(admin, "config:read");
  const t = await getTenant(deps.db);
  return { policy: t.mfaPolicy, otp: t.mfaOtpEnabled, recoveryCode: t.mfaRecoveryCodeEnabled };
}

/** Change the MFA policy and factors, audited in the same transaction. */
export async function saveMfaSettings(deps: TDeps, admin: TAdmin, input: unknown): Promise<TMfaSettings> {
  assertAdminAllowed(admin, "config:write");
  const i = input as Partial<Record<keyof TMfaSettings, unknown>> | null;
  if (!i || (i.policy !== "never" && i.policy !== "always")) {
    throw AdminError.invalid("policy must be never or always.");
  }
  if (typeof i.otp !== "boolean" || typeof i.recoveryCode !== "boolean") {
    throw AdminError.invalid("otp and recoveryCode must be true or false.");
  }
  const after: TMfaSettings = { policy: i.policy, otp: i.otp, recoveryCode: i.recoveryCode };
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const t = await getTenant(tx);
    const before = { policy: t.mfaPolicy, otp: t.mfaOtpEnabled, recoveryCode: t.mfaRecoveryCodeEnabled };
    await updateTenant(
      tx,
      {
        mfaPolicy: after.policy,
        mfaOtpEnabled: after.otp,
        mfaRecoveryCodeEnabled: after.recoveryCode,
      },
      now,
    );
    await recordAdminChange(tx, now, admin, {
      action: "update mfa settings",
      target: "tenant",
      before,
      after,
    });
  });
  deps.config.clear();
  return after;
}

/** A user's authenticators for the user screen (no secrets). */
export async function getUserAuthenticators(deps: TDeps, admin: TActor, userId: string) {
  assertAdminAllowed(admin, "users:read");
  const user = await findUserByUserId(deps.db, userId);
  if (!user) return [];
  const rows = await listUserAuthenticators(deps.db, user.id);
  return rows.map((a) => ({
    id: a.publicId,
    type: a.type,
    active: a.active,
    created_at: a.createdAt.toISOString(),
    confirmed_at: a.confirmedAt?.toISOString() ?? null,
  }));
}

/** Remove all of a user's authenticators (lost phone): the next MFA login asks for enrolment. Audited. */
export async function resetUserMfa(deps: TDeps, admin: TAdmin, userId: string): Promise<number> {
  assertAdminAllowed(admin, "mfa:reset");
  const user = await findUserByUserId(deps.db, userId);
  if (!user) throw AdminError.notFound("No such user.");
  const now = deps.clock.now();
  return deps.db.transaction(async (q) => {
    const removed = await deleteUserAuthenticators(q, user.id);
    await recordAdminChange(q, now, admin, {
      action: "reset mfa",
      target: userId,
      before: { authenticators: removed },
      after: { authenticators: 0 },
    });
    return removed;
  });
}
