import { AdminError } from "../admin-error.ts";

// What the attack view counts and over which periods. Shared by the use case, the route and the page.

/** The periods the attack view shows: its buckets are minutes for an hour, hours for a day, days for 14 days. */
export const ATTACK_VIEW_RANGES = {
  hour: { buckets: 60, bucketMs: 60_000 },
  day: { buckets: 24, bucketMs: 3_600_000 },
  "14d": { buckets: 14, bucketMs: 86_400_000 },
} as const;

export type TAttackViewRange = keyof typeof ATTACK_VIEW_RANGES;

/**
 * Failed logins: the login page's codes and the failed exchanges the password grants (`password`,
 * `password-realm`) write when the failure is not a wrong identifier or password (those are `fp`/`fu`).
 */
export const FAILED_LOGIN_TYPES = ["f", "fp", "fu", "fepft"] as const;
/** A brute-force block: an identifier reached the threshold (and each attempt it refused). */
export const BLOCK_TYPES = ["limit_wc"] as const;
/** Suspicious-IP throttling refused an attempt. */
export const THROTTLE_TYPES = ["limit_mu"] as const;
/**
 * A failed second factor at the MFA grants (`mfa-otp`, `mfa-recovery-code`): a wrong TOTP or recovery code, or a
 * code refused unchecked because the user's wrong-code bucket is empty. Each refused code writes exactly one of
 * these (the grant's `feotpft`/`fercft` record beside it is not counted: it also stands for a bad `mfa_token`).
 *
 * The rate-limit records count here, not as blocks: they are still guesses at someone's second factor (an attacker
 * holding the password keeps sending codes; the throttle only stops checking them), which is what this series is
 * for, and a wrong code and a refused one never both count for one attempt. "Blocked" stays the brute-force
 * policy's refusals, whose enforcement the view reports next to it; the MFA bucket is a separate, always-on limit
 * per user, and mixing it in would make "monitoring only: its blocks refuse nothing" untrue.
 */
export const MFA_FAILURE_TYPES = [
  "gd_auth_failed",
  "gd_recovery_failed",
  "gd_otp_rate_limit_exceed",
  "gd_recovery_rate_limit_exceed",
] as const;
/** A breached password at login, signup or reset. */
export const BREACHED_TYPES = ["pwd_leak", "signup_pwd_leak", "reset_pwd_leak"] as const;

/** Whether `value` names a range. */
export function isAttackViewRange(value: unknown): value is TAttackViewRange {
  return typeof value === "string" && Object.hasOwn(ATTACK_VIEW_RANGES, value);
}

/** The `range` query parameter: missing means the last hour; anything else but a range is a 400 naming it. */
export function parseAttackViewRange(value: string | null | undefined): TAttackViewRange {
  if (value === null || value === undefined || value === "") return "hour";
  if (isAttackViewRange(value)) return value;
  throw AdminError.invalid("Query parameter range must be hour, day or 14d.", {
    code: "invalid_query_string",
  });
}
