import type { TRawSql, TSqlRunner, TSqlWriter } from "../store/raw-sql.ts";
import {
  markIpBlocked,
  refundIpAttempt,
  reserveIpAttempt,
  type TIpThrottleRow,
} from "../store/ip-throttles.ts";
import type { TSuspiciousIpThrottling } from "./policies.ts";
import type { TIpList } from "../platform/ip-match.ts";
import { ipCountingKey } from "../platform/ip-key.ts";

export type TIpThrottlePolicy = TSuspiciousIpThrottling & { allowed: TIpList };

export type TIpAdmission =
  /** Throttling off, or the IP is allowlisted: nothing was taken from a bucket. */
  | { kind: "exempt" }
  /** One attempt was taken from the IP's bucket; give it back if the login succeeds. */
  | { kind: "admitted" }
  /** The bucket is empty. `isNewBlock` for exactly one attempt per block; `isRefused` unless monitoring. */
  | { kind: "over_limit"; isRefused: boolean; isNewBlock: boolean };

/** What a read of the IP's bucket decides before any write. */
export type TIpPeek = { kind: "exempt" } | { kind: "open" } | Extract<TIpAdmission, { kind: "over_limit" }>;

/** Whether suspicious-IP throttling counts this IP's attempts at all (the allowlist is matched by address). */
export function isIpCounted(policy: TIpThrottlePolicy, ip: string): boolean {
  return policy.enabled && !policy.allowed.has(ip);
}

/**
 * The bucket a client address draws from: IPv4 per address, IPv6 per network at the policy's prefix length, so
 * rotating through one /64 drains one bucket. The functions below take this key, never the address text.
 */
export function ipBucketKey(policy: Pick<TSuspiciousIpThrottling, "ipv6_prefix_length">, ip: string): string {
  return ipCountingKey(ip, policy.ipv6_prefix_length);
}

/**
 * Decide on the bucket `key` (ipBucketKey), already read (null: there is none yet). A flood from a blocked IP is refused by the
 * read alone (no write, no lock, no commit to flush); "open" decides nothing: the attempt must still be taken
 * atomically (takeIpAttempt).
 */
export async function decideIpPeek(
  sql: TRawSql,
  policy: TIpThrottlePolicy,
  key: string,
  bucket: TIpThrottleRow | null,
  now: Date,
): Promise<TIpPeek> {
  if (bucket && ipBlockExpiresAt(bucket.tat, policy) > now) {
    // Already marked: no write at all for the rest of the flood.
    if (bucket.blockedAt !== null)
      return { kind: "over_limit", isRefused: policy.shields.includes("block"), isNewBlock: false };
    return refuseIpAttempt(sql, policy, key, now);
  }
  return { kind: "open" };
}

/**
 * Take one attempt from the IP's bucket (max_attempts, refilled one per `rate` ms) in one statement, so parallel
 * requests cannot overdraw it. Runs on `q`, which may be a transaction shared with the identifier's counter.
 */
export async function takeIpAttempt(
  q: TSqlRunner,
  policy: TIpThrottlePolicy,
  key: string,
  now: Date,
): Promise<boolean> {
  const stage = policy.stage["pre-login"];
  return reserveIpAttempt(q, key, { now, rateMs: stage.rate, maxAttempts: stage.max_attempts });
}

/** The bucket just ran out for this attempt: record the block (true for exactly one caller per block). */
export async function refuseIpAttempt(
  sql: TRawSql,
  policy: TIpThrottlePolicy,
  key: string,
  now: Date,
): Promise<Extract<TIpAdmission, { kind: "over_limit" }>> {
  const isNewBlock = await markIpBlocked(sql, key, now);
  return { kind: "over_limit", isRefused: policy.shields.includes("block"), isNewBlock };
}

/** Give an admitted attempt back (the login succeeded, or it was refused by another check before any hash). */
export async function refundIp(q: TSqlWriter, policy: TIpThrottlePolicy, key: string): Promise<void> {
  await refundIpAttempt(q, key, policy.stage["pre-login"].rate);
}

/** When the IP's bucket lets attempts through again. */
export function ipBlockExpiresAt(tatMs: number, policy: TSuspiciousIpThrottling): Date {
  const { rate, max_attempts } = policy.stage["pre-login"];
  return new Date(tatMs - (max_attempts - 1) * rate);
}
