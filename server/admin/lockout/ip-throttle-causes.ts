import type { TDeps } from "../../config/deps.ts";
import { listIpBuckets } from "../../store/ip-throttles.ts";
import { listIpLogsSince, listRecentUserLogs } from "../../store/lockout-reads.ts";
import { ipBlockExpiresAt, ipBucketKey, type TIpThrottlePolicy } from "../../protection/ip-throttle.ts";
import { BLOCK_LIFETIME_MS } from "../../protection/brute-force.ts";
import type { TLockoutCause } from "./describe-lockout.ts";
import type { TLockoutSubject } from "./lockout-subject.ts";
import { RECORD_CAP } from "./brute-force-causes.ts";
import { adminUnblockIp, byTime } from "./lifts.ts";

/** How many of the user's addresses are looked at (the newest records first, then the last login's IP). */
const MAX_ADDRESSES = 20;

/**
 * The addresses the user signs in or fails from: those of their records while a bucket could still remember
 * them (it refills fully in max_attempts × rate), and the last successful login's IP.
 */
async function userAddresses(deps: TDeps, policy: TIpThrottlePolicy, s: TLockoutSubject): Promise<string[]> {
  const stage = policy.stage["pre-login"];
  const memory = Math.min(stage.max_attempts * stage.rate, BLOCK_LIFETIME_MS);
  const logs = await listRecentUserLogs(deps.db, {
    userId: s.user.userId,
    userNames: s.userNames,
    since: new Date(s.now.getTime() - memory),
    take: 200,
  });
  const seen = new Set<string>();
  for (const ip of [...logs.map((l) => l.ip), s.user.lastIp]) {
    if (ip && seen.size < MAX_ADDRESSES && !policy.allowed.has(ip)) seen.add(ip);
  }
  return [...seen];
}

/**
 * Suspicious-IP throttling of the IPs this user uses: a bucket that is empty (refusing every login from it) or
 * at least half drained. The bucket is the IP's (IPv4) or its network's (IPv6), shared by every user there.
 */
export async function ipThrottleCauses(
  deps: TDeps,
  policy: TIpThrottlePolicy,
  s: TLockoutSubject,
): Promise<TLockoutCause[]> {
  if (!policy.enabled || !policy.shields.includes("block")) return [];
  const byKey = new Map<string, string[]>();
  for (const ip of await userAddresses(deps, policy, s)) {
    const key = ipBucketKey(policy, ip);
    byKey.set(key, [...(byKey.get(key) ?? []), ip]);
  }
  const nowMs = s.now.getTime();
  const buckets = await listIpBuckets(deps.db, { afterMs: nowMs, ips: [...byKey.keys()] });
  const { max_attempts: max, rate } = policy.stage["pre-login"];
  const causes: TLockoutCause[] = [];
  for (const bucket of buckets) {
    // The bucket holds `max` attempts; (tat - now) / rate of them are taken and not yet refilled.
    const used = Math.min(max, Math.ceil((bucket.tat - nowMs) / rate));
    const freesAt = ipBlockExpiresAt(bucket.tat, policy);
    const isBlocked = freesAt > s.now;
    if (!isBlocked && used * 2 < max) continue;
    const addresses = byKey.get(bucket.ip) ?? [];
    const logs = await listIpLogsSince(deps.db, {
      ips: addresses,
      types: ["fp", "fu", "limit_mu"],
      since: new Date(bucket.tat - max * rate),
      take: RECORD_CAP,
    });
    const until = isBlocked ? freesAt : new Date(bucket.tat);
    causes.push({
      kind: "ip-throttle",
      state: isBlocked ? "blocked" : "at-risk",
      ip: bucket.ip,
      addresses,
      count: used,
      threshold: max,
      last_failed_at: bucket.lastFailureAt.toISOString(),
      since: (isBlocked
        ? (bucket.blockedAt ?? bucket.lastFailureAt)
        : new Date(logs[0]?.date ?? bucket.lastFailureAt)
      ).toISOString(),
      until: until.toISOString(),
      records: logs.map((l) => l.log_id),
      lifts: [adminUnblockIp(bucket.ip), byTime(until)],
    });
  }
  return causes;
}
