import type { TDeps } from "../../config/deps.ts";
import {
  countPerBucket,
  countWithLatest,
  listFailureBlocks,
  userIdsOfLogs,
  type TFailureBlock,
  type TTimeRange,
} from "../../store/attack-stats.ts";
import {
  addInto,
  COUNT_GROUPS,
  PARTIAL_DEPTH,
  readClosedDays,
  readPartial,
  topAcross,
  type TClosedDays,
  type TCounts,
  type TMfaCount,
  type TPartial,
  type TRanked,
  type TSourceCount,
} from "./attack-partials.ts";
import { listIpBuckets } from "../../store/ip-throttles.ts";
import { BLOCK_LIFETIME_MS, normalizeIdentifier } from "../../protection/brute-force.ts";
import { ipBlockExpiresAt } from "../../protection/ip-throttle.ts";
import { ipCountingKey, isCurrentIpKey, UNKNOWN_IP_KEY } from "../../platform/ip-key.ts";
import { connectionNames } from "../protection/find-block-rows.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import type { TActor } from "../audit.ts";
import { ATTACK_VIEW_RANGES, BREACHED_TYPES, type TAttackViewRange } from "./attack-view-range.ts";

/** How many identifiers and sources the top lists show. */
export const TOP_LIMIT = 10;

/** Per bucket: failed logins, brute-force blocks, suspicious-IP throttles and failed second factors (MFA). */
export type TAttackBucket = {
  start: string;
  failed: number;
  blocked: number;
  throttled: number;
  mfa: number;
};

/** One brute-force block standing now: identifier + IP key (null IP: account lockout). */
export type TStandingBlock = {
  identifier: string;
  ip: string | null;
  connection: string;
  count: number;
  since: string | null;
  /** When it lifts by itself (30 days after its last failure) unless an admin, a reset or the link lifts it first. */
  until: string;
};

export type TTopIdentifier = {
  identifier: string;
  failures: number;
  last_failure: string;
  blocked: boolean;
  /** The latest `until` of its blocks; null when not blocked. */
  blocked_until: string | null;
  blocks: TStandingBlock[];
};

export type TTopSource = {
  /** An IPv4 address, or the IPv6 network its addresses are counted under (`2001:db8:1:2::/64`). */
  source: string;
  kind: "ipv4" | "ipv6_network" | "unknown";
  /** Distinct addresses seen (more than one only for an IPv6 network). */
  addresses: number;
  /** False in the 14-day view: addresses are counted per day, so one seen on two days counts twice. */
  is_addresses_exact: boolean;
  failures: number;
  last_failure: string;
  /** Brute-force blocks kept for this IP or network now (identifiers refused from it). */
  blocks: TStandingBlock[];
  throttled: boolean;
  throttled_until: string | null;
};

/** A user whose second factor failed (wrong or throttled TOTP or recovery codes: MFA_FAILURE_TYPES). */
export type TMfaTarget = {
  /** The user's email or username, as their records carry it. */
  user_name: string;
  /** The user the latest of those records names (null if it names none). */
  user_id: string | null;
  failures: number;
  last_failure: string;
};

export type TAttackView = {
  range: TAttackViewRange;
  from: string;
  to: string;
  bucket_ms: number;
  buckets: TAttackBucket[];
  totals: { failed: number; blocked: number; throttled: number; mfa: number; breached: number };
  top_identifiers: TTopIdentifier[];
  /** The users with the most failed second factors (someone holding their password is guessing codes). */
  top_mfa_users: TMfaTarget[];
  top_sources: TTopSource[];
  breached: {
    count: number;
    latest: {
      log_id: string;
      date: string;
      type: string;
      user_name: string | null;
      ip: string | null;
    } | null;
  };
  /** Whether the policies refuse anything (false: off or monitoring only, blocks listed would not refuse). */
  enforced: { brute_force: boolean; suspicious_ip: boolean };
  /** The IPv6 prefix length sources are grouped by (the suspicious-IP policy's, as its throttling counts). */
  ipv6_prefix_length: number;
};

/** A day counts as closed (its records final, kept per process) this long after it ended: clocks of several
 * server processes may differ a little. */
const CLOSED_AFTER_MS = 5 * 60_000;

/**
 * The attack view of the Attack protection screen over the last hour, day or 14 days: failed logins, brute-force
 * blocks, suspicious-IP throttles and failed second factors per minute / hour / day, totals, the most attacked
 * identifiers and the top source IPs and IPv6 networks with what stands against them now, the users whose second
 * factor failed most, and breached-password hits.
 */
export async function getAttackView(
  deps: TDeps,
  admin: TActor,
  range: TAttackViewRange,
): Promise<TAttackView> {
  assertAdminAllowed(admin, "logs:read");
  const { buckets: n, bucketMs } = ATTACK_VIEW_RANGES[range];
  const now = deps.clock.now();
  const first = (Math.floor(now.getTime() / bucketMs) - (n - 1)) * bucketMs;
  const end = new Date(now.getTime() + 1);
  const span: TTimeRange = { from: new Date(first), to: end };
  const stretches: TTimeRange[] = Array.from({ length: n }, (_, i) => ({
    from: new Date(first + i * bucketMs),
    to: i === n - 1 ? end : new Date(first + (i + 1) * bucketMs),
  }));
  const { bruteForce, suspiciousIp } = await deps.config.attackProtection();
  const prefix = suspiciousIp.ipv6_prefix_length;

  const [figures, breached] = await Promise.all([
    range === "14d" ? readDays(deps, stretches, prefix, now) : readLive(deps, stretches, span, prefix),
    countWithLatest(deps.db, BREACHED_TYPES, span),
  ]);
  const { counts, names: identifiers } = figures;
  const sources = figures.sources.map((s) => ({ source: s.key, ...s.value, n: s.n, last: s.last }));

  // What stands now against the listed identifiers and sources (only counters the policy still refuses with).
  const bfKey = (s: { kind: TTopSource["kind"]; sample: string }) =>
    s.kind === "unknown" ? UNKNOWN_IP_KEY : ipCountingKey(s.sample, bruteForce.ipv6_prefix_length);
  const [failureBlocks, ipBuckets, names, mfaUserIds] = await Promise.all([
    bruteForce.enabled
      ? listFailureBlocks(deps.db, {
          minCount: bruteForce.max_attempts,
          since: new Date(now.getTime() - BLOCK_LIFETIME_MS),
          ips: sources.map(bfKey),
          identifiers: [...new Set(identifiers.map((i) => normalizeIdentifier(i.key)))],
        })
      : Promise.resolve([]),
    suspiciousIp.enabled
      ? listIpBuckets(deps.db, { afterMs: now.getTime(), ips: sources.map((s) => s.source) })
      : Promise.resolve([]),
    connectionNames(deps),
    userIdsOfLogs(
      deps.db,
      figures.mfaNames.map((m) => m.value.lastId),
    ),
  ]);
  const standing = failureBlocks.filter((b) => isCurrentIpKey(b.ip, bruteForce.ipv6_prefix_length));
  const toStanding = (b: TFailureBlock): TStandingBlock => ({
    identifier: b.identifier,
    ip: b.ip || null,
    connection: names.get(b.connectionId) ?? b.connectionId,
    count: b.count,
    since: b.blockedAt?.toISOString() ?? null,
    until: new Date(b.lastFailureAt.getTime() + BLOCK_LIFETIME_MS).toISOString(),
  });
  const throttledUntil = new Map<string, Date>();
  for (const b of ipBuckets) {
    const until = ipBlockExpiresAt(b.tat, suspiciousIp);
    if (until > now && isCurrentIpKey(b.ip, prefix)) throttledUntil.set(b.ip, until);
  }

  const buckets: TAttackBucket[] = stretches.map((s, i) => ({ start: s.from.toISOString(), ...counts[i]! }));
  const totals = { failed: 0, blocked: 0, throttled: 0, mfa: 0, breached: breached.n };
  for (const b of buckets) {
    totals.failed += b.failed;
    totals.blocked += b.blocked;
    totals.throttled += b.throttled;
    totals.mfa += b.mfa;
  }

  return {
    range,
    from: span.from.toISOString(),
    to: now.toISOString(),
    bucket_ms: bucketMs,
    buckets,
    totals,
    top_identifiers: identifiers.map((i) => {
      const blocks = standing.filter((b) => b.identifier === normalizeIdentifier(i.key)).map(toStanding);
      return {
        identifier: i.key,
        failures: i.n,
        last_failure: i.last.toISOString(),
        blocked: blocks.length > 0,
        blocked_until:
          blocks
            .map((b) => b.until)
            .sort()
            .at(-1) ?? null,
        blocks,
      };
    }),
    top_mfa_users: figures.mfaNames.map((m) => ({
      user_name: m.key,
      user_id: mfaUserIds.get(m.value.lastId) ?? null,
      failures: m.n,
      last_failure: m.last.toISOString(),
    })),
    top_sources: sources.map((s) => {
      const until = throttledUntil.get(s.source);
      return {
        source: s.source,
        kind: s.kind,
        addresses: s.addresses,
        is_addresses_exact: figures.isAddressesExact,
        failures: s.n,
        last_failure: s.last.toISOString(),
        blocks: standing.filter((b) => b.ip === bfKey(s)).map(toStanding),
        throttled: until !== undefined,
        throttled_until: until?.toISOString() ?? null,
      };
    }),
    breached: {
      count: breached.n,
      latest: breached.latest && {
        log_id: breached.latest.log_id,
        date: breached.latest.date,
        type: breached.latest.type,
        user_name: breached.latest.user_name ?? null,
        ip: breached.latest.ip ?? null,
      },
    },
    enforced: {
      brute_force: bruteForce.enabled && bruteForce.shields.includes("block"),
      suspicious_ip: suspiciousIp.enabled && suspiciousIp.shields.includes("block"),
    },
    ipv6_prefix_length: prefix,
  };
}

type TFigures = {
  counts: TCounts[];
  names: TRanked<{ n: number; last: Date }>[];
  sources: TRanked<TSourceCount>[];
  mfaNames: TRanked<TMfaCount>[];
  /** False when a source's addresses were counted per day (the same address on two days counts twice). */
  isAddressesExact: boolean;
};

/** An hour or a day: read from the log (at most a day of records). */
async function readLive(
  deps: TDeps,
  stretches: TTimeRange[],
  span: TTimeRange,
  prefix: number,
): Promise<TFigures> {
  const [counts, partial] = await Promise.all([
    countPerBucket(deps.db, COUNT_GROUPS, stretches),
    readPartial(deps.db, span, prefix, TOP_LIMIT, false),
  ]);
  return { counts, ...exactTop(partial), isAddressesExact: true };
}

/** 14 days: the closed days from the per-process cache, today from the log. */
async function readDays(deps: TDeps, days: TTimeRange[], prefix: number, now: Date): Promise<TFigures> {
  const closedCount = days.filter((d) => d.to.getTime() + CLOSED_AFTER_MS <= now.getTime()).length;
  const open = days.slice(closedCount);
  const [closed, recent] = await Promise.all([
    closedCount > 0
      ? readClosedDays(deps.db, days.slice(0, closedCount), prefix, now.getTime())
      : Promise.resolve({ counts: [], names: EMPTY, sources: EMPTY, mfaNames: EMPTY } as TClosedDays),
    Promise.all(open.map((d) => readPartial(deps.db, d, prefix, PARTIAL_DEPTH, true))),
  ]);
  const counts = [...(closed?.counts ?? []), ...recent.map((p) => p.counts)];
  const isComplete = recent.every((p) => p.namesCut === 0 && p.sourcesCut === 0 && p.mfaNamesCut === 0);
  if (closed && isComplete) {
    // Today may be up to two partials (the closing grace period): add them up like closed days.
    const merge = <T extends { n: number; last: Date }>(maps: Map<string, T>[]) => {
      const out = new Map<string, T>();
      for (const m of maps)
        for (const [k, v] of m) {
          const t = out.get(k);
          if (t) addInto(t, v);
          else out.set(k, { ...v });
        }
      return out;
    };
    return {
      counts,
      names: topAcross(closed.names, merge(recent.map((p) => p.names)), TOP_LIMIT),
      sources: topAcross(closed.sources, merge(recent.map((p) => p.sources)), TOP_LIMIT),
      mfaNames: topAcross(closed.mfaNames, merge(recent.map((p) => p.mfaNames)), TOP_LIMIT),
      isAddressesExact: false,
    };
  }
  // A day listed too many names to add up exactly: read the 14 days at once (slower, exact).
  const whole = await readPartial(
    deps.db,
    { from: days[0]!.from, to: days.at(-1)!.to },
    prefix,
    TOP_LIMIT,
    false,
  );
  return { counts, ...exactTop(whole), isAddressesExact: true };
}

const EMPTY = { byKey: new Map(), sorted: [] };

/** The top lists of one partial read with the view's own depth (its SQL ordering makes them exact). */
function exactTop(p: TPartial): Pick<TFigures, "names" | "sources" | "mfaNames"> {
  const rank = <T extends { n: number; last: Date }>(map: Map<string, T>) =>
    [...map.entries()]
      .map(([key, value]) => ({ key, value, n: value.n, last: value.last }))
      .sort((a, b) => b.n - a.n || a.key.localeCompare(b.key))
      .slice(0, TOP_LIMIT);
  return { names: rank(p.names), sources: rank(p.sources), mfaNames: rank(p.mfaNames) };
}
