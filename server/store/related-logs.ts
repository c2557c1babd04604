import { LOG_EVENT_COLUMNS, logIdFloor, toLogRecord, type TLogRecord } from "./logs.ts";
import type { TSqlRunner } from "./sql-runner.ts";

const COLUMN_LIST = LOG_EVENT_COLUMNS.map((c) => `"${c}"`).join(",");

/** The columns a log record's neighbours are matched on (each has a (column, id) index). */
export type TRelatedBy = "userId" | "userName" | "ip";

/**
 * Up to `take` other audit records with the same `by` value as `value`, made within `windowMs` either side of
 * `around` (inclusive), newest first. Ids begin with their time (newLogId), so the window is an id range and the
 * query is one range scan on the (column, id) index however many records the table holds. The record `excludeId`
 * (the one being looked at) is left out.
 */
export async function findRelatedLogs(
  q: TSqlRunner,
  opts: { by: TRelatedBy; value: string; around: Date; windowMs: number; excludeId: string; take: number },
): Promise<TLogRecord[]> {
  const from = logIdFloor(new Date(opts.around.getTime() - opts.windowMs));
  const below = logIdFloor(new Date(opts.around.getTime() + opts.windowMs + 1));
  const rows = await q.all<Record<string, unknown>>(
    `SELECT ${COLUMN_LIST} FROM "LogEvent" WHERE "${opts.by}" = ? AND "id" >= ? AND "id" < ? AND "id" <> ? ORDER BY "id" DESC LIMIT ?`,
    [opts.value, from, below, opts.excludeId, Math.max(1, Math.floor(opts.take))],
  );
  return rows.map(toLogRecord);
}
