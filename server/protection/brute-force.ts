import type { TRawSql, TSqlRunner, TSqlWriter } from "../store/raw-sql.ts";
import {
  clearLoginFailures,
  loginFailureKey,
  markLoginBlocked,
  reserveLoginAttempt,
  type TLoginFailureKey,
  type TLoginFailureRow,
} from "../store/login-failures.ts";
import type { TBruteForceProtection } from "./policies.ts";
import type { TIpList } from "../platform/ip-match.ts";
import { ipCountingKey } from "../platform/ip-key.ts";

/** A block ends by itself this long after the last failed attempt (Auth0: 30 days). */
export const BLOCK_LIFETIME_MS = 30 * 24 * 3600 * 1000;

export type TBruteForcePolicy = TBruteForceProtection & { allowed: TIpList };

export type TBruteForceAdmission =
  /** Protection off, or the IP is allowlisted. */
  | { kind: "exempt" }
  | { kind: "blocked" }
  | { kind: "admitted"; key: TLoginFailureKey; count: number; releasedExpiredBlock: boolean };

/** Identifiers are counted case-insensitively, so `Alice@x` and `alice@x` share one counter. */
export function normalizeIdentifier(identifier: string): string {
  return identifier.trim().toLowerCase();
}

/**
 * The counter an attempt belongs to: per identifier and IP, or per identifier alone in account-lockout mode. The
 * IP part is the address's counting key (an IPv6 address's network at the policy's prefix length), never its text.
 */
export function counterKey(
  policy: Pick<TBruteForceProtection, "mode" | "ipv6_prefix_length">,
  a: { connectionId: string; identifier: string; ip: string },
): TLoginFailureKey {
  return {
    connectionId: a.connectionId,
    identifier: normalizeIdentifier(a.identifier),
    ip: policy.mode === "count_per_identifier" ? "" : ipCountingKey(a.ip, policy.ipv6_prefix_length),
  };
}

/**
 * Count one login attempt before its password is checked, or refuse it because the counter reached the threshold.
 * The count and the check are one statement, so concurrent attempts admit exactly `max_attempts` password
 * checks. Without the `block` shield (monitoring) every attempt is admitted and still counted.
 */
export async function takeLoginAttempt(
  q: TSqlRunner,
  policy: TBruteForcePolicy,
  attempt: { connectionId: string; identifier: string; ip: string },
  now: Date,
): Promise<TBruteForceAdmission> {
  if (!policy.enabled || policy.allowed.has(attempt.ip)) return { kind: "exempt" };
  const key = counterKey(policy, attempt);
  const r = await reserveLoginAttempt(q, key, {
    now,
    expiredBefore: new Date(now.getTime() - BLOCK_LIFETIME_MS),
    maxAttempts: policy.max_attempts,
    isBlocking: policy.shields.includes("block"),
  });
  if (!r.isAdmitted) return { kind: "blocked" };
  return { kind: "admitted", key, count: r.count, releasedExpiredBlock: r.releasedExpiredBlock };
}

/** The counter a login attempt must read to know whether it is blocked; null when blocking does not apply. */
export function blockCheckKey(
  policy: TBruteForcePolicy,
  attempt: { connectionId: string; identifier: string; ip: string },
): string | null {
  if (!policy.enabled || !policy.shields.includes("block") || policy.allowed.has(attempt.ip)) return null;
  return loginFailureKey(counterKey(policy, attempt));
}

/** A counter at the threshold whose last failure is recent enough: the identifier is blocked. */
export function isBlockingRow(policy: TBruteForcePolicy, row: TLoginFailureRow | null, now: Date): boolean {
  return (
    row !== null &&
    row.count >= policy.max_attempts &&
    row.lastFailureAt.getTime() >= now.getTime() - BLOCK_LIFETIME_MS
  );
}

/**
 * After a wrong password: when this failure brought the counter to the threshold, mark the block (exactly one
 * caller wins, even across processes) and let `onNewBlock` write the audit record in the same transaction.
 */
export async function recordFailedAttempt(
  sql: TRawSql,
  policy: TBruteForcePolicy,
  admission: Extract<TBruteForceAdmission, { kind: "admitted" }>,
  now: Date,
  onNewBlock: (q: TSqlRunner) => Promise<unknown>,
): Promise<boolean> {
  if (admission.count < policy.max_attempts) return false;
  return sql.transaction(async (q) => {
    const isNew = await markLoginBlocked(q, loginFailureKey(admission.key), policy.max_attempts, now);
    if (isNew) await onNewBlock(q);
    return isNew;
  });
}

/**
 * A successful login resets its counters: the (identifier, IP) one and the identifier-wide one, whichever mode
 * wrote them. Joins the login's final writes (a transaction or a `writeAll` batch).
 */
export async function resetAfterSuccess(
  q: TSqlWriter,
  policy: Pick<TBruteForceProtection, "ipv6_prefix_length">,
  attempt: { connectionId: string; identifier: string; ip: string },
): Promise<void> {
  const identifier = normalizeIdentifier(attempt.identifier);
  const ip = ipCountingKey(attempt.ip, policy.ipv6_prefix_length);
  await clearLoginFailures(q, [
    loginFailureKey({ connectionId: attempt.connectionId, identifier, ip }),
    loginFailureKey({ connectionId: attempt.connectionId, identifier, ip: "" }),
  ]);
}
