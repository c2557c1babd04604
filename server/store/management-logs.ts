import type { TSqlRunner, TSqlValue } from "./raw-sql.ts";
import { LOG_EVENT_COLUMNS, findLog, logIdFloor, toLogRecord, type TLogRecord } from "./logs.ts";

// The Management API's log queries (GET /api/v2/logs, /logs/{id}, /users/{id}/logs): a typed search tree compiled
// to SQL with bound values, page/per_page pages, and checkpoint (from/take) pages a SIEM can follow forever.

/** Fields Auth0's log search `q` may name (the ones we store). */
export const LOG_QUERY_FIELDS = [
  "type",
  "date",
  "user_id",
  "user_name",
  "client_id",
  "client_name",
  "connection",
  "connection_id",
  "ip",
  "description",
  "audience",
  "strategy",
  "log_id",
  "hostname",
  "user_agent",
] as const;
export type TLogQueryField = (typeof LOG_QUERY_FIELDS)[number];
export type TLogRangeBound = { value: string; inclusive: boolean };

/** A parsed log search (server/management/logs/parse-log-query.ts builds it). */
export type TLogQuery =
  | { kind: "and" | "or"; items: TLogQuery[] }
  | { kind: "not"; item: TLogQuery }
  /** `field` null: a bare term, matched against Auth0's default fields (BARE_TERM_FIELDS). */
  | { kind: "term"; field: Exclude<TLogQueryField, "date"> | null; value: string; match: "exact" | "prefix" }
  | {
      kind: "range";
      field: Exclude<TLogQueryField, "date">;
      lower: TLogRangeBound | null;
      upper: TLogRangeBound | null;
    }
  /** A time window, half-open: fromMs ≤ date < beforeMs (null = unbounded). */
  | { kind: "date"; fromMs: number | null; beforeMs: number | null };

// Field names reach SQL only through this fixed map.
const COLUMN_OF = {
  type: "type",
  user_id: "userId",
  user_name: "userName",
  client_id: "clientId",
  client_name: "clientName",
  connection: "connection",
  connection_id: "connectionId",
  ip: "ip",
  description: "description",
  audience: "audience",
  strategy: "strategy",
  log_id: "id",
  hostname: "hostname",
  user_agent: "userAgent",
} as const satisfies Record<Exclude<TLogQueryField, "date">, string>;

/** The fields Auth0 matches a term without a field name against. */
const BARE_TERM_FIELDS = [
  "user_name",
  "connection",
  "client_name",
  "type",
  "ip",
  "log_id",
  "description",
] as const;

const MAX_ID_MS = 999_999_999_999_999;
const idAt = (ms: number) => logIdFloor(new Date(Math.min(MAX_ID_MS, Math.max(0, ms))));

function compile(node: TLogQuery, params: TSqlValue[]): string {
  switch (node.kind) {
    case "and":
    case "or":
      return `(${node.items.map((n) => compile(n, params)).join(node.kind === "and" ? " AND " : " OR ")})`;
    case "not":
      // A missing (NULL) column does not match `field:value`, so `NOT field:value` must keep that row, as in Lucene.
      return `NOT COALESCE(${compile(node.item, params)}, FALSE)`;
    case "term": {
      const fields: readonly Exclude<TLogQueryField, "date">[] =
        node.field === null ? BARE_TERM_FIELDS : [node.field];
      const one = (f: Exclude<TLogQueryField, "date">) => {
        const column = `"${COLUMN_OF[f]}"`;
        if (node.match === "exact") {
          params.push(node.value);
          return `${column} = ?`;
        }
        // substr, not LIKE: case-sensitive on both databases (SQLite's LIKE ignores ASCII case) and `%`/`_` stay
        // literal. Lengths count code points on both, like the spread below.
        params.push([...node.value].length, node.value);
        return `substr(${column}, 1, ?) = ?`;
      };
      return fields.length === 1 ? one(fields[0]!) : `(${fields.map(one).join(" OR ")})`;
    }
    case "range": {
      const column = `"${COLUMN_OF[node.field]}"`;
      const parts: string[] = [];
      if (node.lower) {
        parts.push(`${column} ${node.lower.inclusive ? ">=" : ">"} ?`);
        params.push(node.lower.value);
      }
      if (node.upper) {
        parts.push(`${column} ${node.upper.inclusive ? "<=" : "<"} ?`);
        params.push(node.upper.value);
      }
      return parts.length === 0 ? `${column} IS NOT NULL` : `(${parts.join(" AND ")})`;
    }
    case "date": {
      // Ids begin with the record's millisecond time (newLogId), so a time window is a primary-key range.
      const parts: string[] = [];
      if (node.fromMs !== null) {
        parts.push(`"id" >= ?`);
        params.push(idAt(node.fromMs));
      }
      if (node.beforeMs !== null) {
        parts.push(`"id" < ?`);
        params.push(idAt(node.beforeMs));
      }
      return parts.length === 0 ? "1 = 1" : `(${parts.join(" AND ")})`;
    }
  }
}

const COLUMN_LIST = LOG_EVENT_COLUMNS.map((c) => `"${c}"`).join(",");

/** One log record as GET /api/v2/logs returns it (Auth0's field names; absent values are left out). */
export type TManagementLog = {
  log_id: string;
  date: string;
  type: string;
  description?: string;
  client_id?: string;
  client_name?: string;
  ip?: string;
  client_ip?: string;
  user_agent?: string;
  user_id?: string;
  user_name?: string;
  connection?: string;
  connection_id?: string;
  strategy?: string;
  hostname?: string;
  audience?: string;
  scope?: string;
  details?: Record<string, unknown>;
  isMobile: boolean;
};

/** `fields` / `include_fields` as Auth0 reads them: the listed fields only, or (includeFields false) all but them. */
export type TLogFieldSelection = { fields?: string[]; includeFields?: boolean };

/**
 * A stored record in Auth0's response shape, with `fields`/`include_fields` applied: an empty or missing `fields`
 * keeps everything; unknown names are ignored, as Auth0 does.
 */
export function toManagementLog(r: TLogRecord, select: TLogFieldSelection = {}): Partial<TManagementLog> {
  const full: TManagementLog = {
    log_id: r.log_id,
    date: r.date,
    type: r.type,
    description: r.description,
    client_id: r.client_id,
    client_name: r.client_name,
    ip: r.ip,
    client_ip: r.client_ip,
    user_agent: r.user_agent,
    user_id: r.user_id,
    user_name: r.user_name,
    connection: r.connection,
    connection_id: r.connection_id,
    strategy: r.strategy,
    hostname: r.hostname,
    audience: r.audience,
    scope: r.scope,
    details: r.details ?? {},
    // We have no device classification; Auth0 sends false for non-mobile user agents.
    isMobile: false,
  };
  const listed = new Set((select.fields ?? []).map((f) => f.trim()).filter(Boolean));
  const keep = (k: string) => listed.size === 0 || listed.has(k) === (select.includeFields ?? true);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(full)) if (v !== undefined && keep(k)) out[k] = v;
  return out as Partial<TManagementLog>;
}

/** Most records per page or checkpoint request (Auth0: per_page and take ≤ 100). */
export const LOG_PAGE_MAX = 100;
/**
 * How deep page/per_page may reach: Auth0 lets a search paginate through the first 1,000 results only ("redefine
 * your search or use the get logs by checkpoint method"). `total` is counted up to this many too: a count beyond
 * the reachable window would cost a full scan of a million-row table for a number no page can reach.
 */
export const LOG_SEARCH_WINDOW = 1000;

export type TLogSort = { field: "date"; direction: 1 | -1 };
export type TLogPageOptions = TLogFieldSelection & {
  query: TLogQuery | null;
  sort?: TLogSort;
  page: number;
  perPage: number;
  includeTotals?: boolean;
};

/**
 * One page of a log search (Auth0's q/page/per_page/sort), newest first unless `sort.direction` is 1, with `total`
 * (capped at LOG_SEARCH_WINDOW) when `includeTotals`. Rows past the window are never returned; the caller refuses
 * such pages with Auth0's error before calling.
 */
export async function listLogsPage(
  q: TSqlRunner,
  opts: TLogPageOptions,
): Promise<{ logs: Partial<TManagementLog>[]; total?: number }> {
  const perPage = Math.max(0, Math.min(LOG_PAGE_MAX, Math.floor(opts.perPage)));
  const offset = Math.max(0, Math.floor(opts.page)) * perPage;
  const take = Math.max(0, Math.min(perPage, LOG_SEARCH_WINDOW - offset));
  const params: TSqlValue[] = [];
  const where = opts.query ? ` WHERE ${compile(opts.query, params)}` : "";
  // Ids sort by time (newLogId), so date order is id order, served by the primary key or a (column, id) index.
  const order = (opts.sort?.direction ?? -1) === 1 ? "ASC" : "DESC";
  const rows =
    take === 0
      ? []
      : await q.all<Record<string, unknown>>(
          `SELECT ${COLUMN_LIST} FROM "LogEvent"${where} ORDER BY "id" ${order} LIMIT ? OFFSET ?`,
          [...params, take, offset],
        );
  const logs = rows.map((r) => toManagementLog(toLogRecord(r), opts));
  if (!opts.includeTotals) return { logs };
  const counted = await q.all<{ n: number | string }>(
    `SELECT COUNT(*) AS n FROM (SELECT 1 FROM "LogEvent"${where} LIMIT ?) AS capped`,
    [...params, LOG_SEARCH_WINDOW],
  );
  return { logs, total: Number(counted[0]?.n ?? 0) };
}

/** GET /api/v2/users/{id}/logs: one page of the records whose user_id is exactly `userId`, newest first. */
export async function listUserLogsPage(
  q: TSqlRunner,
  userId: string,
  opts: Omit<TLogPageOptions, "query">,
): Promise<{ logs: Partial<TManagementLog>[]; total?: number }> {
  return listLogsPage(q, {
    ...opts,
    query: { kind: "term", field: "user_id", value: userId, match: "exact" },
  });
}

/** GET /api/v2/logs/{id}: one record, or null. */
export async function getLogById(q: TSqlRunner, logId: string): Promise<TManagementLog | null> {
  const r = await findLog(q, logId);
  return r ? (toManagementLog(r) as TManagementLog) : null;
}

/**
 * How old a record must be (by the database's clock, from the time in its id) before a checkpoint page hands it
 * out. A log id carries the time `at` its request took before its transaction committed, and several processes
 * commit concurrently, so a record with a smaller id can become visible after a reader has moved past it. Waiting
 * this long makes that impossible as long as every write commits within it of its `at`: a login's `at` is taken
 * when the request starts, and rules (RULES_PIPELINE_TIMEOUT_MS, at most 120 s) plus Actions (20 s) plus hashing
 * and the database come well inside five minutes; the margin also absorbs clock skew between servers and the
 * database. Cost: a log reaches a SIEM five minutes after it happened (Auth0's own log streams lag too).
 */
export const LOG_CHECKPOINT_SETTLE_MS = 5 * 60_000;

/** The smallest id not yet settled, computed by the database from its own clock (one statement, no round trip). */
function settledBelowSql(kind: TSqlRunner["kind"]): string {
  // statement_timestamp() is stable within the statement, so the bound stays an index range (clock_timestamp()
  // is volatile and would be evaluated per row). SQLite's 'now' is fixed for one statement step.
  return kind === "postgres"
    ? `('90' || lpad(CAST(CAST(floor(EXTRACT(EPOCH FROM statement_timestamp()) * 1000) AS BIGINT) - ? AS TEXT), 15, '0'))`
    : `('90' || printf('%015d', CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) - ?))`;
}

export type TLogCheckpointOptions = {
  /** Hand out records with log_id after this one; none: from the oldest record kept. */
  from?: string;
  take: number;
  /** Auth0 ignores `q` when `from` is given; pass one only for an internal filtered follow. */
  query?: TLogQuery | null;
  /** Defaults to LOG_CHECKPOINT_SETTLE_MS; tests shorten it to stand for time having passed. */
  settleMs?: number;
};

/**
 * A checkpoint page (Auth0's from/take): up to `take` (≤ 100) settled records with log_id greater than `from`,
 * oldest first. Following it (next `from` = the last log_id handed out) yields every record exactly once: ids are
 * unique and strictly increasing across pages (no repeats), and only records older than LOG_CHECKPOINT_SETTLE_MS
 * are handed out, so none can still appear below a position already passed (no gaps). Without `from`, the follow
 * starts at the oldest record kept (Auth0 does not document this case).
 */
export async function listLogsFrom(q: TSqlRunner, opts: TLogCheckpointOptions): Promise<TManagementLog[]> {
  const take = Math.max(0, Math.min(LOG_PAGE_MAX, Math.floor(opts.take)));
  if (take === 0) return [];
  const params: TSqlValue[] = [opts.from ?? "", opts.settleMs ?? LOG_CHECKPOINT_SETTLE_MS];
  const filter = opts.query ? ` AND ${compile(opts.query, params)}` : "";
  const rows = await q.all<Record<string, unknown>>(
    `SELECT ${COLUMN_LIST} FROM "LogEvent" WHERE "id" > ? AND "id" < ${settledBelowSql(q.kind)}${filter} ORDER BY "id" ASC LIMIT ?`,
    [...params, take],
  );
  return rows.map((r) => toManagementLog(toLogRecord(r)) as TManagementLog);
}
