import type { TDeps } from "../config/deps.ts";
import {
  countLogsPerHour,
  findLog,
  searchLogs,
  topLogValues,
  type TLogFilter,
  type TLogRecord,
} from "../store/logs.ts";
import { listClients } from "../store/clients.ts";
import { listConnections } from "../store/connections.ts";
import { findRelatedLogs, type TRelatedBy } from "../store/related-logs.ts";
import { describeLogType, groupLogTypes, type TLogTypeInfo } from "../audit/log-catalog.ts";
import { assertAdminAllowed } from "./admin-access.ts";
import type { TActor } from "./audit.ts";

const SUCCESS = new Set(["s", "sepft", "sertft"]);
const BLOCKED = new Set(["limit_wc", "limit_mu", "pwd_leak"]);
/** Event types that are login failures or blocks (for "top failing" lists). */
const FAILING = ["f", "fp", "fu", "fepft", "fertft", "limit_wc", "limit_mu", "pwd_leak"];

type TOutcome = "succeeded" | "failed" | "blocked";

function outcomeOf(type: string): TOutcome | null {
  if (SUCCESS.has(type)) return "succeeded";
  if (BLOCKED.has(type)) return "blocked";
  if (FAILING.includes(type)) return "failed";
  return null;
}

/** Overview: login outcomes per hour over the last 24 hours, top failing IPs and users, recent events. */
export async function getOverview(deps: TDeps, admin: TActor) {
  assertAdminAllowed(admin, "logs:read");
  const now = deps.clock.now().getTime();
  const since = new Date(now - 23 * 60 * 60 * 1000 - (now % 3_600_000));
  const [perHour, topIps, topUsers, recent] = await Promise.all([
    countLogsPerHour(deps.db, since),
    topLogValues(deps.db, "ip", FAILING, since),
    topLogValues(deps.db, "userName", FAILING, since),
    searchLogs(deps.db, {}, { take: 10 }),
  ]);
  const hours = Array.from({ length: 24 }, (_, i) => ({
    hour: since.getTime() + i * 3_600_000,
    succeeded: 0,
    failed: 0,
    blocked: 0,
  }));
  const totals = { succeeded: 0, failed: 0, blocked: 0 };
  for (const row of perHour) {
    const outcome = outcomeOf(row.type);
    const slot = hours.find((h) => h.hour === row.hour);
    if (!outcome || !slot) continue;
    slot[outcome] += row.n;
    totals[outcome] += row.n;
  }
  return { ...totals, hours, topIps, topUsers, recent };
}

export const LOG_PAGE_SIZE = 50;

// A time typed into the page's datetime-local filter has no zone; the page shows times in UTC, so read it as UTC
// (not as the server's local time, which would shift the range by the server's offset).
const ZONELESS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

/** Parse the Logs page's query string into a filter (unknown or malformed values are ignored). */
export function parseLogQuery(q: Record<string, string | undefined>): {
  filter: TLogFilter;
  before?: string;
} {
  const date = (v: string | undefined) => {
    if (!v) return undefined;
    const d = new Date(ZONELESS.test(v.trim()) ? `${v.trim()}Z` : v);
    return Number.isNaN(d.getTime()) ? undefined : d;
  };
  const text = (v: string | undefined) => (v && v.trim() ? v.trim().slice(0, 200) : undefined);
  return {
    filter: {
      type: text(q.type),
      user: text(q.user),
      ip: text(q.ip),
      clientId: text(q.client),
      connection: text(q.connection),
      from: date(q.from),
      to: date(q.to),
    },
    before: text(q.before),
  };
}

/** A log record with its event type's name, Auth0 description and category. */
export type TLogRow = TLogRecord & { event: TLogTypeInfo };

const withEvent = (r: TLogRecord): TLogRow => ({ ...r, event: describeLogType(r.type) });

/**
 * One page of the Logs screen: the records with their event names, the cursor of the next page, the event types
 * grouped for the filter, and the time the page was read (for "3 min ago").
 */
export async function getLogsPage(deps: TDeps, admin: TActor, q: Record<string, string | undefined>) {
  assertAdminAllowed(admin, "logs:read");
  const { filter, before } = parseLogQuery(q);
  const rows = await searchLogs(deps.db, filter, { take: LOG_PAGE_SIZE + 1, before });
  const hasMore = rows.length > LOG_PAGE_SIZE;
  const page = rows.slice(0, LOG_PAGE_SIZE);
  return {
    rows: page.map(withEvent),
    nextBefore: hasMore ? page[page.length - 1]?.log_id : undefined,
    groups: groupLogTypes(),
    /** The filter's event type, named (or null when the filter names no type). */
    type: filter.type ? describeLogType(filter.type) : null,
    now: deps.clock.now().toISOString(),
  };
}

/** How far either side of a record its related records are looked for. */
export const RELATED_WINDOW_MS = 10 * 60_000;
/** How many related records of each kind the record page lists. */
export const RELATED_TAKE = 20;

export type TRelatedLogs = {
  /** The Logs screen's filter that matches these records (user or ip), for "all of them" links. */
  filter: { user: string } | { ip: string };
  rows: TLogRow[];
  /** More than RELATED_TAKE records matched. */
  hasMore: boolean;
};

async function relatedBy(
  deps: TDeps,
  record: TLogRecord,
  by: TRelatedBy,
  value: string,
): Promise<TRelatedLogs> {
  const rows = await findRelatedLogs(deps.db, {
    by,
    value,
    around: new Date(record.date),
    windowMs: RELATED_WINDOW_MS,
    excludeId: record.log_id,
    take: RELATED_TAKE + 1,
  });
  return {
    filter: by === "ip" ? { ip: value } : { user: value },
    rows: rows.slice(0, RELATED_TAKE).map(withEvent),
    hasMore: rows.length > RELATED_TAKE,
  };
}

/**
 * One audit record for the record page, named, with the records of the same user (by user id, or by the name
 * tried when there is no id) and of the same IP within RELATED_WINDOW_MS either side of it; null when there is no
 * such record.
 */
export async function getLogDetail(deps: TDeps, admin: TActor, logId: string) {
  assertAdminAllowed(admin, "logs:read");
  const record = await findLog(deps.db, logId);
  if (!record) return null;
  const at = new Date(record.date).getTime();
  const [user, ip] = await Promise.all([
    record.user_id
      ? relatedBy(deps, record, "userId", record.user_id)
      : record.user_name
        ? relatedBy(deps, record, "userName", record.user_name)
        : null,
    record.ip ? relatedBy(deps, record, "ip", record.ip) : null,
  ]);
  return {
    record: withEvent(record),
    related: { user, ip },
    window: {
      from: new Date(at - RELATED_WINDOW_MS).toISOString(),
      to: new Date(at + RELATED_WINDOW_MS).toISOString(),
    },
    now: deps.clock.now().toISOString(),
  };
}

/** Applications with their enabled connections, secrets excluded. */
export async function getApplications(deps: TDeps, admin: TActor) {
  assertAdminAllowed(admin, "config:read");
  const [clients, connections] = await Promise.all([listClients(deps.db), listConnections(deps.db)]);
  const apps = clients.map((c) => ({
    clientId: c.clientId,
    name: c.name,
    appType: c.appType,
    isFirstParty: c.isFirstParty,
    tokenEndpointAuthMethod: c.tokenEndpointAuthMethod,
    grantTypes: c.grantTypes,
    trustsIpHeader: c.isTokenEndpointIpHeaderTrusted,
    connections: connections.filter((n) => c.connectionIds.includes(n.id)).map((n) => n.name),
  }));
  return { apps, connections: connections.map((c) => c.name) };
}

const CSV_COLUMNS = [
  "log_id",
  "date",
  "type",
  "description",
  "client_id",
  "client_name",
  "connection",
  "user_id",
  "user_name",
  "ip",
  "client_ip",
  "user_agent",
] as const;

function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? "" : String(v);
  // Quote always; neutralise spreadsheet formulas (CSV injection) with a leading apostrophe.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return `"${safe.replace(/"/g, '""')}"`;
}

/** Export rows as lines of NDJSON or CSV (no header), each line terminated. */
function formatLogLines(rows: TLogRecord[], format: "ndjson" | "csv"): string {
  if (format === "ndjson") return rows.map((r) => `${JSON.stringify(r)}\n`).join("");
  return rows.map((r) => `${CSV_COLUMNS.map((c) => csvCell(r[c])).join(",")}\r\n`).join("");
}

/** Export rows as NDJSON or CSV text (CSV with its header line). */
export function formatLogs(rows: TLogRecord[], format: "ndjson" | "csv"): string {
  return (format === "csv" ? `${CSV_COLUMNS.join(",")}\r\n` : "") + formatLogLines(rows, format);
}

const EXPORT_PAGE = 1000;

/**
 * Every record matching the Logs page filter, up to `max`, as a stream of NDJSON or CSV text: one page of
 * records is read and sent at a time, so an export of 100,000 records holds one page in memory, not all of them,
 * and a client that reads slowly only slows its own export.
 */
export function exportLogsStream(
  deps: TDeps,
  admin: TActor,
  q: Record<string, string | undefined>,
  format: "ndjson" | "csv",
  max = 100_000,
): ReadableStream<Uint8Array> {
  assertAdminAllowed(admin, "logs:read");
  const { filter } = parseLogQuery(q);
  const encoder = new TextEncoder();
  let before: string | undefined;
  let sent = 0;
  let isHeaderSent = format !== "csv";
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!isHeaderSent) {
        isHeaderSent = true;
        controller.enqueue(encoder.encode(`${CSV_COLUMNS.join(",")}\r\n`));
        return;
      }
      const take = Math.min(EXPORT_PAGE, max - sent);
      const rows = take > 0 ? await searchLogs(deps.db, filter, { take, before }) : [];
      if (rows.length > 0) controller.enqueue(encoder.encode(formatLogLines(rows, format)));
      sent += rows.length;
      before = rows[rows.length - 1]?.log_id;
      if (rows.length < take || sent >= max) controller.close();
    },
  });
}
