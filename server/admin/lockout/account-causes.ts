import type { TDeps } from "../../config/deps.ts";
import { findMfaBucketTat, listUserAdminChanges, listUserLogsSince } from "../../store/lockout-reads.ts";
import { MFA_BUCKET_CAPACITY, MFA_BUCKET_REFILL_MS } from "../../mfa/complete-mfa-login.ts";
import type { TAttackProtectionPolicies } from "../../protection/policies.ts";
import type { TLockoutCause } from "./describe-lockout.ts";
import type { TLockoutSubject } from "./lockout-subject.ts";
import { RECORD_CAP } from "./brute-force-causes.ts";
import { adminSetPassword, adminUnblockUser, byTime, mfaReset, passwordReset } from "./lifts.ts";

// Causes kept on the user's own rows: the admin block, the breached-password flag, the MFA wrong-code bucket.

/** Who set the admin block and when: the newest admin change of this user that left `blocked: true`. */
export async function adminBlockCause(deps: TDeps, s: TLockoutSubject): Promise<TLockoutCause[]> {
  if (!s.user.blocked) return [];
  const changes = await listUserAdminChanges(
    deps.db,
    s.user.userId,
    ["block user", "update user", "create user"],
    20,
  );
  const change = changes.find((c) => {
    const after = c.details?.after as { blocked?: unknown } | null | undefined;
    return after?.blocked === true;
  });
  const actor = change?.details?.actor as { email?: unknown; name?: unknown } | undefined;
  const by =
    typeof actor?.email === "string" ? actor.email : typeof actor?.name === "string" ? actor.name : null;
  return [
    {
      kind: "admin-block",
      state: "blocked",
      // Blocked by an import or before records were kept: the flag alone, without who or when.
      by,
      since: change?.date ?? s.user.updatedAt.toISOString(),
      until: null,
      records: change ? [change.log_id] : [],
      lifts: [adminUnblockUser(s.user.userId)],
    },
  ];
}

/**
 * A breached-password hold: the flag stays until the password changes; it refuses logins while detection is on
 * with the `block` shield, and is a warning otherwise.
 */
export async function breachedPasswordCause(
  deps: TDeps,
  policy: TAttackProtectionPolicies["breachedPassword"],
  s: TLockoutSubject,
): Promise<TLockoutCause[]> {
  const leakedAt = s.user.passwordLeakedAt;
  if (!leakedAt) return [];
  const logs = await listUserLogsSince(deps.db, {
    userId: s.user.userId,
    userNames: [],
    types: ["pwd_leak"],
    since: leakedAt,
    take: RECORD_CAP,
  });
  return [
    {
      kind: "breached-password",
      state: policy.enabled && policy.shields.includes("block") ? "blocked" : "at-risk",
      since: leakedAt.toISOString(),
      until: null,
      records: logs.map((l) => l.log_id),
      lifts: [passwordReset(s.user.userId), adminSetPassword(s.user.userId)],
    },
  ];
}

const MFA_RECORD_TYPES = [
  "gd_auth_failed",
  "gd_recovery_failed",
  "gd_otp_rate_limit_exceed",
  "gd_recovery_rate_limit_exceed",
];

/**
 * The MFA wrong-code bucket (10 codes, one back every 6 minutes): refusing codes when empty, at risk while wrong
 * codes are still counted.
 */
export async function mfaThrottleCause(deps: TDeps, s: TLockoutSubject): Promise<TLockoutCause[]> {
  const tat = await findMfaBucketTat(deps.db, s.user.id);
  const nowMs = s.now.getTime();
  if (tat === null || tat <= nowMs) return [];
  const used = Math.min(MFA_BUCKET_CAPACITY, Math.ceil((tat - nowMs) / MFA_BUCKET_REFILL_MS));
  // takeMfaAttempt refuses while max(tat, now) + interval > now + capacity × interval.
  const freesAt = new Date(tat - (MFA_BUCKET_CAPACITY - 1) * MFA_BUCKET_REFILL_MS);
  const isBlocked = freesAt > s.now;
  const until = isBlocked ? freesAt : new Date(tat);
  const logs = await listUserLogsSince(deps.db, {
    userId: s.user.userId,
    userNames: [],
    types: MFA_RECORD_TYPES,
    since: new Date(tat - MFA_BUCKET_CAPACITY * MFA_BUCKET_REFILL_MS),
    take: RECORD_CAP,
  });
  const firstRefusal = logs.find((l) => l.type.endsWith("_rate_limit_exceed"));
  return [
    {
      kind: "mfa-throttle",
      state: isBlocked ? "blocked" : "at-risk",
      count: used,
      threshold: MFA_BUCKET_CAPACITY,
      since: firstRefusal?.date ?? logs[0]?.date ?? s.now.toISOString(),
      until: until.toISOString(),
      records: logs.map((l) => l.log_id),
      lifts: [mfaReset(s.user.userId), byTime(until)],
    },
  ];
}
