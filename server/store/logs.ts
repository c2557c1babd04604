import { randomBytes } from "node:crypto";
import type { TDb } from "./db.ts";
import type { TLogEvent } from "../audit/events.ts";

/** Sortable log id: millisecond time then randomness, like Auth0's numeric-prefixed log_id. */
export function newLogId(at: Date): string {
  return `90${at.getTime().toString().padStart(15, "0")}${randomBytes(8).toString("hex")}`;
}

export type TLogRecord = TLogEvent & { log_id: string; date: string };

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
  return rows.map((r) => ({
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
    details: JSON.parse(r.details) as Record<string, unknown>,
  }));
}
