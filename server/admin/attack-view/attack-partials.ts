import type { TSqlRunner } from "../../store/raw-sql.ts";
import {
  countPerBucket,
  countPerIp,
  topUserNames,
  type TTimeRange,
  type TValueCount,
} from "../../store/attack-stats.ts";
import { ipCountingKey, UNKNOWN_IP_KEY } from "../../platform/ip-key.ts";
import { BLOCK_TYPES, FAILED_LOGIN_TYPES, MFA_FAILURE_TYPES, THROTTLE_TYPES } from "./attack-view-range.ts";

// The attack view's figures for one stretch of time (a "partial"), and how partials add up. A 14-day view is 14
// daily partials: the 13 closed days never change (log ids carry their time; records are only ever added at "now"),
// so each process keeps them, added up, and only today is read again. Top-10 lists cannot be added up (a name
// missing from one day's list may still have had records that day), so a day's partial lists every name and source
// (up to PARTIAL_DEPTH; `cut` says how many records an unlisted one may have had), and when a day is cut the view
// reads the whole span in one go instead.

export const COUNT_GROUPS = {
  failed: FAILED_LOGIN_TYPES,
  blocked: BLOCK_TYPES,
  throttled: THROTTLE_TYPES,
  mfa: MFA_FAILURE_TYPES,
} as const;

export type TCounts = { failed: number; blocked: number; throttled: number; mfa: number };

const NO_COUNTS: TCounts = { failed: 0, blocked: 0, throttled: 0, mfa: 0 };

/** A user name's failed second factors: `lastId` is the latest record's id (to find the user it names). */
export type TMfaCount = { n: number; last: Date; lastId: string };

export type TSourceCount = {
  kind: "ipv4" | "ipv6_network" | "unknown";
  n: number;
  last: Date;
  /** Distinct addresses of the source in this stretch (one for an IPv4 address). */
  addresses: number;
  /** One address of the source (to key it at another prefix length). */
  sample: string;
};

export type TPartial = {
  counts: TCounts;
  names: Map<string, { n: number; last: Date }>;
  /** A name not in `names` has at most this many records here (0: `names` lists every name). */
  namesCut: number;
  sources: Map<string, TSourceCount>;
  sourcesCut: number;
  /** Failed second factors per user name, and its cut (as `names`). */
  mfaNames: Map<string, TMfaCount>;
  mfaNamesCut: number;
};

/**
 * How many names and sources a day's partial keeps: every one in practice, so the days add up exactly (credential
 * stuffing spreads over tens of thousands of names a day, each with a handful of failures, and a day's cut would
 * be as large as the tenth name's total). A flood of more distinct names than this makes the 14-day view fall
 * back to one exact read of the whole span: memory stays bounded.
 */
export const PARTIAL_DEPTH = 100_000;

/** The figures of `range`: counts of each group and the top `depth` names and sources (IPv6 by network). */
export async function readPartial(
  db: TSqlRunner,
  range: TTimeRange,
  ipv6PrefixLength: number,
  depth: number,
  withCounts: boolean,
): Promise<TPartial> {
  const [counts, names, ips, mfaNames] = await Promise.all([
    withCounts ? countPerBucket(db, COUNT_GROUPS, [range]) : Promise.resolve([]),
    topUserNames(db, FAILED_LOGIN_TYPES, range, depth),
    countPerIp(db, FAILED_LOGIN_TYPES, range, depth),
    topUserNames(db, MFA_FAILURE_TYPES, range, depth),
  ]);
  const sources = groupSources([...ips.ipv4, ...ips.ipv6], ipv6PrefixLength);
  return {
    counts: counts[0] ?? { ...NO_COUNTS },
    names: new Map(names.map((r) => [r.value, { n: r.n, last: r.last }])),
    namesCut: names.length >= depth ? (names.at(-1)?.n ?? 0) : 0,
    sources,
    // Every IPv6 address is read; only the IPv4 list is cut.
    sourcesCut: ips.ipv4.length >= depth ? (ips.ipv4.at(-1)?.n ?? 0) : 0,
    mfaNames: new Map(mfaNames.map((r) => [r.value, { n: r.n, last: r.last, lastId: r.lastId }])),
    mfaNamesCut: mfaNames.length >= depth ? (mfaNames.at(-1)?.n ?? 0) : 0,
  };
}

/**
 * The network key of an IPv6 address whose leading groups are written out (no "::" among them): its text up to
 * the colon after group `groups`. Every spelling-canonical address of that network starts with it.
 */
function textualNetwork(ip: string, groups: number): string | null {
  let at = -1;
  for (let i = 0; i < groups; i++) {
    at = ip.indexOf(":", at + 1);
    if (at < 0) return null;
  }
  const head = ip.slice(0, at + 1);
  return head.includes("::") ? null : head;
}

/** Per-address counts grouped by the key the protection counts them under (IPv6 per network). */
function groupSources(rows: TValueCount[], ipv6PrefixLength: number): Map<string, TSourceCount> {
  // Parsing every address of a rotating /64 would cost more than reading it: addresses are first grouped by the
  // text of their leading groups, and one address per group is parsed.
  const groups = Math.ceil(ipv6PrefixLength / 16);
  const byText = new Map<string, TSourceCount>();
  for (const r of rows) {
    const text = (r.value.includes(":") && groups < 8 && textualNetwork(r.value, groups)) || r.value;
    const g = byText.get(text);
    if (g) {
      g.n += r.n;
      g.addresses += 1;
      if (r.last > g.last) g.last = r.last;
    } else byText.set(text, { kind: "ipv4", n: r.n, last: r.last, addresses: 1, sample: r.value });
  }
  const out = new Map<string, TSourceCount>();
  for (const g of byText.values()) {
    const key = ipCountingKey(g.sample, ipv6PrefixLength);
    const kind = key === UNKNOWN_IP_KEY ? "unknown" : key.includes("/") ? "ipv6_network" : "ipv4";
    const s = out.get(key);
    if (s) {
      s.n += g.n;
      s.addresses += g.addresses;
      if (g.last > s.last) s.last = g.last;
    } else out.set(key, { ...g, kind });
  }
  return out;
}

export type TRanked<T> = { key: string; value: T; n: number; last: Date };

type TCounted = { n: number; last: Date };

/** Add one partial's entry into a running total (addresses add up per day: an upper bound). */
export function addInto<T extends TCounted>(total: T, more: T): void {
  total.n += more.n;
  if (more.last > total.last) {
    total.last = more.last;
    if ("lastId" in total && "lastId" in more)
      (total as unknown as TMfaCount).lastId = (more as unknown as TMfaCount).lastId;
  }
  if ("addresses" in total && "addresses" in more)
    (total as unknown as TSourceCount).addresses += (more as unknown as TSourceCount).addresses;
}

/** Entries of several complete partials added up, and sorted most first (for taking the top). */
export type TMerged<T> = { byKey: Map<string, T>; sorted: [string, T][] };

function mergeAll<T extends TCounted>(maps: Map<string, T>[]): TMerged<T> {
  const byKey = new Map<string, T>();
  for (const m of maps)
    for (const [key, v] of m) {
      const t = byKey.get(key);
      if (t) addInto(t, v);
      else byKey.set(key, { ...v });
    }
  const sorted = [...byKey.entries()].sort((a, b) => b[1].n - a[1].n || (a[0] < b[0] ? -1 : 1));
  return { byKey, sorted };
}

/**
 * The `limit` entries with the most records over the closed days (`closed`, added up) and today (`today`), both
 * complete. Only today's keys and the head of the closed days' sorted list are looked at: any other key has its
 * closed total only, which is no more than the entries taken before it.
 */
export function topAcross<T extends TCounted>(
  closed: TMerged<T>,
  today: Map<string, T>,
  limit: number,
): TRanked<T>[] {
  const candidates: TRanked<T>[] = [];
  for (const [key, v] of today) {
    const before = closed.byKey.get(key);
    const value = { ...v };
    if (before) addInto(value, before);
    candidates.push({ key, value, n: value.n, last: value.last });
  }
  let taken = 0;
  for (const [key, v] of closed.sorted) {
    if (taken === limit) break;
    if (today.has(key)) continue;
    candidates.push({ key, value: v, n: v.n, last: v.last });
    taken++;
  }
  return candidates.sort((a, b) => b.n - a.n || (a.key < b.key ? -1 : 1)).slice(0, limit);
}

/** The closed days of a 14-day view: their counts, and their names and sources added up. */
export type TClosedDays = {
  counts: TCounts[];
  names: TMerged<TCounted>;
  sources: TMerged<TSourceCount>;
  mfaNames: TMerged<TMfaCount>;
};

/** Per-process cache of closed days, per database (tests run several): the latest span read. */
const closedCache = new WeakMap<TSqlRunner, { key: string; at: number; value: TClosedDays | null }>();
/**
 * Re-read the closed days after this long anyway (log retention may have pruned the oldest). The span moves on
 * once a day, so a process reads them again from the log at most a few times a day (seconds at 1,000,000 records).
 */
const CACHE_TTL_MS = 6 * 3_600_000;

/**
 * The closed days `days` (consecutive), from the cache or the log; null when a day had more names or sources than
 * PARTIAL_DEPTH (its list is cut, so sums would not be exact). The counts include the MFA failures and the MFA
 * names are kept like the others, so a closed day answers every series and list from here.
 */
export async function readClosedDays(
  db: TSqlRunner,
  days: TTimeRange[],
  ipv6PrefixLength: number,
  now: number,
): Promise<TClosedDays | null> {
  const key = `${days[0]?.from.getTime()}|${days.length}|${ipv6PrefixLength}`;
  const hit = closedCache.get(db);
  if (hit && hit.key === key && now - hit.at < CACHE_TTL_MS) return hit.value;
  const partials: TPartial[] = [];
  // One day at a time: a cold read is as heavy as the 14 days, and other requests share the database.
  for (const d of days) partials.push(await readPartial(db, d, ipv6PrefixLength, PARTIAL_DEPTH, true));
  const value = partials.some((p) => p.namesCut > 0 || p.sourcesCut > 0 || p.mfaNamesCut > 0)
    ? null
    : {
        counts: partials.map((p) => p.counts),
        names: mergeAll(partials.map((p) => p.names)),
        sources: mergeAll(partials.map((p) => p.sources)),
        mfaNames: mergeAll(partials.map((p) => p.mfaNames)),
      };
  closedCache.set(db, { key, at: now, value });
  return value;
}
