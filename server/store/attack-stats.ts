import { logIdFloor, toLogRecord, LOG_EVENT_COLUMNS, type TLogRecord } from "./logs.ts";
import { readDate, type TSqlRunner, type TSqlValue } from "./raw-sql.ts";

// Aggregates of the audit log for the attack view (server/admin/attack-view). Log ids begin with their record's
// millisecond time (logs.ts newLogId), so a time range is an id range: every query below is a range scan of an
// index that starts with ("type", "id") and carries the grouped column ("userName" or "ip"), so no table row is
// read. The grouped queries cost in proportion to the records in the range; the attack view keeps the results of
// closed days (server/admin/attack-view/attack-partials.ts) so a 14-day view scans at most today again.

/** A half-open time range [from, to). */
export type TTimeRange = { from: Date; to: Date };

function rangeWhere(types: readonly string[], range: TTimeRange): { sql: string; params: TSqlValue[] } {
  return {
    sql: `"type" IN (${types.map(() => "?").join(",")}) AND "id" >= ? AND "id" < ?`,
    params: [...types, logIdFloor(range.from), logIdFloor(range.to)],
  };
}

const limitOf = (n: number) => Math.max(1, Math.floor(n));

/**
 * How many records of each group of types fall in each of `buckets` (consecutive ranges of one length, the last
 * one possibly shorter). SQLite: one statement of range counts on the ("type", "id") index, one per bucket and
 * group (no sort). PostgreSQL: one scan of the whole range grouped by bucket and type (a hash aggregate): planning
 * a statement of a hundred subqueries there costs more than the counting.
 */
export async function countPerBucket<K extends string>(
  q: TSqlRunner,
  groups: Record<K, readonly string[]>,
  buckets: TTimeRange[],
): Promise<Record<K, number>[]> {
  if (buckets.length === 0) return [];
  const names = Object.keys(groups) as K[];
  const first = buckets[0]!.from.getTime();
  const size = buckets[0]!.to.getTime() - first;
  const isRegular = size > 0 && buckets.every((b, i) => b.from.getTime() === first + i * size);
  if (q.kind === "postgres" && isRegular) {
    const types = [...new Set(names.flatMap((n) => groups[n]))];
    const w = rangeWhere(types, { from: buckets[0]!.from, to: buckets.at(-1)!.to });
    const rows = await q.all<{ bucket: number | string; type: string; n: number | string }>(
      `SELECT (CAST(substr("id", 3, 15) AS BIGINT) - ${Math.floor(first)}) / ${Math.floor(size)} AS bucket, "type" AS type, COUNT(*) AS n FROM "LogEvent" WHERE ${w.sql} GROUP BY 1, 2`,
      w.params,
    );
    const out = buckets.map(() => Object.fromEntries(names.map((n) => [n, 0])) as Record<K, number>);
    for (const r of rows) {
      const bucket = out[Number(r.bucket)];
      if (!bucket) continue;
      for (const n of names) if (groups[n].includes(r.type)) bucket[n] += Number(r.n);
    }
    return out;
  }
  const params: TSqlValue[] = [];
  const selects = buckets.map((b) => {
    const counts = names.map((name) => {
      const w = rangeWhere(groups[name], b);
      params.push(...w.params);
      return `(SELECT COUNT(*) FROM "LogEvent" WHERE ${w.sql}) AS "${name}"`;
    });
    return `SELECT ${counts.join(", ")}`;
  });
  const rows = await q.all<Record<string, number | string>>(selects.join(" UNION ALL "), params);
  return rows.map((r) => Object.fromEntries(names.map((n) => [n, Number(r[n] ?? 0)])) as Record<K, number>);
}

/** `last` is the time of the latest record, `lastId` its log id. */
export type TValueCount = { value: string; n: number; last: Date; lastId: string };

type TCountRow = { value: string; n: number | string; last: string };

/** The time of the record with id `id` (ids begin with "90" and the 15-digit millisecond time). */
function idTime(id: string): Date {
  return new Date(Number(String(id).slice(2, 17)));
}

const readCount = (r: TCountRow): TValueCount => ({
  value: r.value,
  n: Number(r.n),
  last: idTime(r.last),
  lastId: String(r.last),
});

/** The `userName`s with the most records of `types` in `range`, most first. */
export async function topUserNames(
  q: TSqlRunner,
  types: readonly string[],
  range: TTimeRange,
  limit: number,
): Promise<TValueCount[]> {
  const w = rangeWhere(types, range);
  const rows = await q.all<TCountRow>(
    `SELECT "userName" AS value, COUNT(*) AS n, MAX("id") AS last FROM "LogEvent" WHERE ${w.sql} AND "userName" IS NOT NULL GROUP BY "userName" ORDER BY n DESC, value LIMIT ${limitOf(limit)}`,
    w.params,
  );
  return rows.map(readCount);
}

/**
 * Records of `types` in `range` per source address: the `ipv4Limit` IPv4 addresses (and other addresses without
 * ":") with the most, and every IPv6 address, which the caller groups into networks (a host rotating through its
 * /64 uses each address only a few times).
 */
export async function countPerIp(
  q: TSqlRunner,
  types: readonly string[],
  range: TTimeRange,
  ipv4Limit: number,
): Promise<{ ipv4: TValueCount[]; ipv6: TValueCount[] }> {
  const w = rangeWhere(types, range);
  const select = `SELECT "ip" AS value, COUNT(*) AS n, MAX("id") AS last FROM "LogEvent" WHERE ${w.sql}`;
  const [ipv4, ipv6] = await Promise.all([
    q.all<TCountRow>(
      `${select} AND "ip" IS NOT NULL AND "ip" NOT LIKE '%:%' GROUP BY "ip" ORDER BY n DESC, value LIMIT ${limitOf(ipv4Limit)}`,
      w.params,
    ),
    q.all<TCountRow>(`${select} AND "ip" LIKE '%:%' GROUP BY "ip"`, w.params),
  ]);
  return { ipv4: ipv4.map(readCount), ipv6: ipv6.map(readCount) };
}

/**
 * The `userId` of each of the records `ids` that has one (log id → user id): primary-key lookups, for the few
 * records a top list links to (the grouping indexes carry the user's name, not their id).
 */
export async function userIdsOfLogs(q: TSqlRunner, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await q.all<{ id: string; userId: string | null }>(
    `SELECT "id", "userId" FROM "LogEvent" WHERE "id" IN (${ids.map(() => "?").join(",")})`,
    [...ids],
  );
  return new Map(rows.filter((r) => r.userId).map((r) => [String(r.id), String(r.userId)]));
}

/** How many records of `types` are in `range`, and the latest of them. */
export async function countWithLatest(
  q: TSqlRunner,
  types: readonly string[],
  range: TTimeRange,
): Promise<{ n: number; latest: TLogRecord | null }> {
  const w = rangeWhere(types, range);
  const columns = LOG_EVENT_COLUMNS.map((c) => `"${c}"`).join(",");
  const [count, latest] = await Promise.all([
    q.all<{ n: number | string }>(`SELECT COUNT(*) AS n FROM "LogEvent" WHERE ${w.sql}`, w.params),
    q.all<Record<string, unknown>>(
      `SELECT ${columns} FROM "LogEvent" WHERE ${w.sql} ORDER BY "id" DESC LIMIT 1`,
      w.params,
    ),
  ]);
  return { n: Number(count[0]?.n ?? 0), latest: latest[0] ? toLogRecord(latest[0]) : null };
}

export type TFailureBlock = {
  connectionId: string;
  identifier: string;
  /** The counter's IP key: an IPv4 address, an IPv6 network, or "" for an account lockout. */
  ip: string;
  count: number;
  blockedAt: Date | null;
  lastFailureAt: Date;
};

/**
 * Brute-force counters at or above `minCount` whose last failure is not older than `since`, kept under one of the
 * IP keys `ips` or for one of the (normalized) `identifiers`: the blocks standing against the top sources and
 * identifiers of the attack view.
 */
export async function listFailureBlocks(
  q: TSqlRunner,
  opts: { minCount: number; since: Date; ips?: string[]; identifiers?: string[]; take?: number },
): Promise<TFailureBlock[]> {
  const or: string[] = [];
  const params: TSqlValue[] = [opts.minCount, opts.since];
  for (const [column, values] of [
    ["ip", opts.ips ?? []],
    ["identifier", opts.identifiers ?? []],
  ] as const) {
    if (values.length === 0) continue;
    or.push(`"${column}" IN (${values.map(() => "?").join(",")})`);
    params.push(...values);
  }
  if (or.length === 0) return [];
  const rows = await q.all<Record<string, unknown>>(
    `SELECT "connectionId","identifier","ip","count","blockedAt","lastFailureAt" FROM "LoginFailure" WHERE "count" >= ? AND "lastFailureAt" >= ? AND (${or.join(" OR ")}) ORDER BY "lastFailureAt" DESC LIMIT ${limitOf(opts.take ?? 1000)}`,
    params,
  );
  return rows.map((r) => ({
    connectionId: String(r.connectionId),
    identifier: String(r.identifier),
    ip: String(r.ip),
    count: Number(r.count),
    blockedAt: r.blockedAt === null || r.blockedAt === undefined ? null : readDate(r.blockedAt),
    lastFailureAt: readDate(r.lastFailureAt),
  }));
}
