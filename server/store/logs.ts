import { randomBytes } from "node:crypto";
import type { TLogEvent } from "../audit/events.ts";
import { scrubSecrets } from "../audit/events.ts";
import { readDate, type TRawSql, type TSqlRunner, type TSqlValue, type TSqlWriter } from "./raw-sql.ts";
import { parseJsonColumn } from "./json.ts";

/** Every column of the `LogEvent` table, in schema order. */
export const LOG_EVENT_COLUMNS = [
  "id",
  "date",
  "type",
  "description",
  "clientId",
  "clientName",
  "connection",
  "connectionId",
  "userId",
  "userName",
  "ip",
  "clientIp",
  "userAgent",
  "hostname",
  "audience",
  "scope",
  "strategy",
  "details",
] as const;

const COLUMN_LIST = LOG_EVENT_COLUMNS.map((c) => `"${c}"`).join(",");
const INSERT_SQL = `INSERT INTO "LogEvent" (${COLUMN_LIST}) VALUES (${LOG_EVENT_COLUMNS.map(() => "?").join(",")})`;

/** Sortable log id: millisecond time then randomness, like Auth0's numeric-prefixed log_id. */
export function newLogId(at: Date): string {
  return `${logIdFloor(at)}${randomBytes(8).toString("hex")}`;
}

/** The smallest log id a record made at `at` can have (ids start with "90" and the 15-digit millisecond time). */
export function logIdFloor(at: Date): string {
  return `90${at.getTime().toString().padStart(15, "0")}`;
}

/** Insert one audit record (inside the caller's transaction or batch); returns its log_id. */
export async function insertLog(q: TSqlWriter, event: TLogEvent, at: Date): Promise<string> {
  const id = newLogId(at);
  await q.run(INSERT_SQL, [
    id,
    at,
    event.type,
    event.description ?? null,
    event.client_id ?? null,
    event.client_name ?? null,
    event.connection ?? null,
    event.connection_id ?? null,
    event.user_id ?? null,
    event.user_name ?? null,
    event.ip ?? null,
    event.client_ip ?? null,
    event.user_agent ?? null,
    event.hostname ?? null,
    event.audience ?? null,
    event.scope ?? null,
    event.strategy ?? null,
    JSON.stringify(scrubSecrets(event.details ?? {})),
  ]);
  return id;
}

/** Insert the audit record of a refused attempt without waiting for the disk (see `TRawSql.runRelaxed`). */
export async function insertLogRelaxed(sql: TRawSql, event: TLogEvent, at: Date): Promise<string> {
  return insertLog({ run: sql.runRelaxed }, event, at);
}

export type TLogRecord = TLogEvent & { log_id: string; date: string };

/** A `LogEvent` row (all of LOG_EVENT_COLUMNS) as a record with Auth0's field names. */
export function toLogRecord(r: Record<string, unknown>): TLogRecord {
  const opt = (v: unknown) => (v === null || v === undefined ? undefined : String(v));
  return {
    log_id: String(r.id),
    date: readDate(r.date).toISOString(),
    type: String(r.type) as TLogEvent["type"],
    description: opt(r.description),
    client_id: opt(r.clientId),
    client_name: opt(r.clientName),
    connection: opt(r.connection),
    connection_id: opt(r.connectionId),
    user_id: opt(r.userId),
    user_name: opt(r.userName),
    ip: opt(r.ip),
    client_ip: opt(r.clientIp),
    user_agent: opt(r.userAgent),
    hostname: opt(r.hostname),
    audience: opt(r.audience),
    scope: opt(r.scope),
    strategy: opt(r.strategy),
    details: parseJsonColumn<Record<string, unknown>>(opt(r.details), {}),
  };
}

/** Most recent log records, newest first (Auth0 field names). */
export async function listLogs(
  q: TSqlRunner,
  opts: { take?: number; type?: string; userId?: string } = {},
): Promise<TLogRecord[]> {
  const where: string[] = [];
  const params: TSqlValue[] = [];
  if (opts.type) {
    where.push(`"type" = ?`);
    params.push(opts.type);
  }
  if (opts.userId) {
    where.push(`"userId" = ?`);
    params.push(opts.userId);
  }
  const rows = await q.all<Record<string, unknown>>(
    `SELECT ${COLUMN_LIST} FROM "LogEvent"${where.length > 0 ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY "date" DESC, "id" DESC LIMIT ?`,
    [...params, opts.take ?? 100],
  );
  return rows.map(toLogRecord);
}

export type TLogFilter = {
  type?: string;
  /** A user id (contains "|", e.g. auth0|…) matches user_id; anything else matches user_name exactly. */
  user?: string;
  ip?: string;
  clientId?: string;
  connection?: string;
  from?: Date;
  to?: Date;
};

/**
 * One page of audit records, newest first, with keyset pagination (`before` = the last record's log_id), so deep
 * pages cost the same as the first.
 */
export async function searchLogs(
  q: TSqlRunner,
  filter: TLogFilter,
  opts: { take: number; before?: string },
): Promise<TLogRecord[]> {
  // Ids begin with the record's time (newLogId), so a date range is an id range and every filter below is one
  // range scan on a (column, id) index, newest first.
  const where: string[] = [];
  const params: TSqlValue[] = [];
  const add = (column: string, op: "=" | ">=" | "<", value: string | undefined) => {
    if (!value) return;
    where.push(`"${column}" ${op} ?`);
    params.push(value);
  };
  add("type", "=", filter.type);
  if (filter.user) add(filter.user.includes("|") ? "userId" : "userName", "=", filter.user);
  add("ip", "=", filter.ip);
  add("clientId", "=", filter.clientId);
  add("connection", "=", filter.connection);
  add("id", ">=", filter.from ? logIdFloor(filter.from) : undefined);
  const upper = [filter.to ? logIdFloor(new Date(filter.to.getTime() + 1)) : undefined, opts.before]
    .filter((v): v is string => Boolean(v))
    .sort()[0];
  add("id", "<", upper);
  const rows = await q.all<Record<string, unknown>>(
    `SELECT ${COLUMN_LIST} FROM "LogEvent"${where.length > 0 ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY "id" DESC LIMIT ?`,
    [...params, opts.take],
  );
  return rows.map(toLogRecord);
}

/** One audit record by log_id. */
export async function findLog(q: TSqlRunner, logId: string): Promise<TLogRecord | null> {
  const rows = await q.all<Record<string, unknown>>(`SELECT ${COLUMN_LIST} FROM "LogEvent" WHERE "id" = ?`, [
    logId,
  ]);
  return rows[0] ? toLogRecord(rows[0]) : null;
}

const HOUR_MS = 3_600_000;

/** Per-hour counts by event type since `since`, from the time encoded in the log id (one index range scan). */
export async function countLogsPerHour(
  q: TSqlRunner,
  since: Date,
): Promise<{ hour: number; type: string; n: number }[]> {
  const bucket =
    q.kind === "postgres"
      ? 'CAST(substr("id", 3, 15) AS BIGINT) / 3600000'
      : 'CAST(substr("id", 3, 15) AS INTEGER) / 3600000';
  const rows = await q.all<{ hour: number | string; type: string; n: number | string }>(
    `SELECT ${bucket} AS hour, "type" AS type, COUNT(*) AS n FROM "LogEvent" WHERE "id" >= ? GROUP BY 1, 2`,
    [logIdFloor(since)],
  );
  return rows.map((r) => ({ hour: Number(r.hour) * HOUR_MS, type: r.type, n: Number(r.n) }));
}

/** The values of `column` with the most records of `types` since `since`. */
export async function topLogValues(
  q: TSqlRunner,
  column: "ip" | "userName",
  types: string[],
  since: Date,
  limit = 5,
): Promise<{ value: string; n: number }[]> {
  const rows = await q.all<{ value: string; n: number | string }>(
    `SELECT "${column}" AS value, COUNT(*) AS n FROM "LogEvent" WHERE "id" >= ? AND "type" IN (${types.map(() => "?").join(",")}) AND "${column}" IS NOT NULL GROUP BY "${column}" ORDER BY n DESC LIMIT ${Math.max(1, Math.floor(limit))}`,
    [logIdFloor(since), ...types],
  );
  return rows.map((r) => ({ value: r.value, n: Number(r.n) }));
}

/**
 * Delete at most `limit` audit records whose id sorts below `beforeId` (ids begin with their time, so this is a
 * primary-key range), oldest first, in one short statement. On PostgreSQL rows another process is deleting right
 * now are skipped, so several processes pruning at once take disjoint batches instead of waiting on each other.
 */
export async function deleteLogsBefore(q: TSqlRunner, beforeId: string, limit: number): Promise<number> {
  const lock = q.kind === "postgres" ? " FOR UPDATE SKIP LOCKED" : "";
  return q.run(
    `DELETE FROM "LogEvent" WHERE id IN (SELECT id FROM "LogEvent" WHERE id < ? ORDER BY id LIMIT ?${lock})`,
    [beforeId, limit],
  );
}
