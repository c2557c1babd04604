import { sqlOf } from "./prisma-bridge.ts";
import { insertLogRaw } from "./logins.ts";
import type { TDb, TTx } from "./db.ts";
import type { TLogEvent } from "../audit/events.ts";
import { parseJsonColumn } from "./json.ts";
import { logIdFloor } from "./log-ids.ts";

export type TLogRecord = TLogEvent & { log_id: string; date: string };

type TLogRow = NonNullable<Awaited<ReturnType<TDb["logEvent"]["findUnique"]>>>;

/** Most recent log records, newest first (Auth0 field names). */
export async function listLogs(
  db: TDb,
  opts: { take?: number; type?: string; userId?: string } = {},
): Promise<TLogRecord[]> {
  const rows = await db.logEvent.findMany({
    where: { ...(opts.type ? { type: opts.type } : {}), ...(opts.userId ? { userId: opts.userId } : {}) },
    orderBy: [{ date: "desc" }, { id: "desc" }],
    take: opts.take ?? 100,
  });
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
  db: TDb,
  filter: TLogFilter,
  opts: { take: number; before?: string },
): Promise<TLogRecord[]> {
  // Ids begin with the record's time (newLogId), so a date range is an id range and every filter below is one
  // range scan on a (column, id) index, newest first.
  const idRange = {
    ...(filter.from ? { gte: logIdFloor(filter.from) } : {}),
    ...(filter.to || opts.before
      ? {
          lt: [filter.to ? logIdFloor(new Date(filter.to.getTime() + 1)) : undefined, opts.before]
            .filter((v): v is string => Boolean(v))
            .sort()[0],
        }
      : {}),
  };
  const user = filter.user
    ? filter.user.includes("|")
      ? { userId: filter.user }
      : { userName: filter.user }
    : {};
  const where = {
    ...(filter.type ? { type: filter.type } : {}),
    ...user,
    ...(filter.ip ? { ip: filter.ip } : {}),
    ...(filter.clientId ? { clientId: filter.clientId } : {}),
    ...(filter.connection ? { connection: filter.connection } : {}),
    ...(Object.keys(idRange).length > 0 ? { id: idRange } : {}),
  };
  const rows = await db.logEvent.findMany({ where, orderBy: { id: "desc" }, take: opts.take });
  return rows.map(toLogRecord);
}

/** One audit record by log_id. */
export async function findLog(db: TDb, logId: string): Promise<TLogRecord | null> {
  const row = await db.logEvent.findUnique({ where: { id: logId } });
  return row ? toLogRecord(row) : null;
}

function toLogRecord(r: TLogRow): TLogRecord {
  return {
    log_id: r.id,
    date: r.date.toISOString(),
    type: r.type as TLogEvent["type"],
    description: r.description ?? undefined,
    client_id: r.clientId ?? undefined,
    client_name: r.clientName ?? undefined,
    connection: r.connection ?? undefined,
    connection_id: r.connectionId ?? undefined,
    user_id: r.userId ?? undefined,
    user_name: r.userName ?? undefined,
    ip: r.ip ?? undefined,
    client_ip: r.clientIp ?? undefined,
    user_agent: r.userAgent ?? undefined,
    hostname: r.hostname ?? undefined,
    audience: r.audience ?? undefined,
    scope: r.scope ?? undefined,
    strategy: r.strategy ?? undefined,
    details: parseJsonColumn<Record<string, unknown>>(r.details, {}),
  };
}

/** Insert one audit record through Prisma, inside the caller's transaction (admin changes). */
export async function insertLogTx(tx: TTx, event: TLogEvent, at: Date): Promise<string> {
  return insertLogRaw(sqlOf(tx), event, at);
}
