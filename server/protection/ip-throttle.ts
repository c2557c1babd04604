import type { TRawSql, TSqlRunner } from "../store/raw-sql.ts";
import {
  findIpBucket,
  markIpBlocked,
  refundIpAttempt,
  reserveIpAttempt,
  runAlone,
} from "../store/protection.ts";
import type { TSuspiciousIpThrottling } from "./policies.ts";
import type { TIpList } from "./ip-match.ts";

export type TIpThrottlePolicy = TSuspiciousIpThrottling & { allowed: TIpList };

export type TIpAdmission =
  /** Throttling off, or the IP is allowlisted: nothing was taken from a bucket. */
  | { kind: "exempt" }
  /** One attempt was taken from the IP's bucket; give it back if the login succeeds. */
  | { kind: "admitted" }
  /** The bucket is empty. `isNewBlock` for exactly one attempt per block; `isRefused` unless monitoring. */
  | { kind: "over_limit"; isRefused: boolean; isNewBlock: boolean };

/**
 * Take one attempt from the IP's bucket (max_attempts, refilled one per `rate` ms). Only failures count: a
 * successful login gives its attempt back (refundIp). Counting happens before the password check, so parallel
 * requests cannot overdraw the bucket.
 */
export async function admitIpAttempt(
  sql: TRawSql,
  policy: TIpThrottlePolicy,
  ip: string,
  now: Date,
): Promise<TIpAdmission> {
  if (!policy.enabled || policy.allowed.has(ip)) return { kind: "exempt" };
  const stage = policy.stage["pre-login"];
  // Fast path for a flood from a blocked IP: one read, no write (no lock, no commit to flush). Only a refusal is
  // decided from the read; an admission always goes through the atomic reservation below.
  const bucket = await findIpBucket(sql, ip);
  if (bucket && ipBlockExpiresAt(bucket.tat, policy) > now) {
    const isNewBlock = bucket.blockedAt === null && (await runAlone(sql, (q) => markIpBlocked(q, ip, now)));
    return { kind: "over_limit", isRefused: policy.shields.includes("block"), isNewBlock };
  }
  const admitted = await runAlone(sql, (q) =>
    reserveIpAttempt(q, sql.kind, ip, { now, rateMs: stage.rate, maxAttempts: stage.max_attempts }),
  );
  if (admitted) return { kind: "admitted" };
  const isNewBlock = await runAlone(sql, (q) => markIpBlocked(q, ip, now));
  return { kind: "over_limit", isRefused: policy.shields.includes("block"), isNewBlock };
}

/** Give an admitted attempt back (the login succeeded, or it was refused by another check before any hash). */
export async function refundIp(q: TSqlRunner, policy: TIpThrottlePolicy, ip: string): Promise<void> {
  await refundIpAttempt(q, ip, policy.stage["pre-login"].rate);
}

/** When the IP's bucket lets attempts through again. */
export function ipBlockExpiresAt(tatMs: number, policy: TSuspiciousIpThrottling): Date {
  const { rate, max_attempts } = policy.stage["pre-login"];
  return new Date(tatMs - (max_attempts - 1) * rate);
}
