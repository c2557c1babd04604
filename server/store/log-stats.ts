import type { TRawSql } from "./raw-sql.ts";

/** Smallest log id of a record made at or after `at` (ids start with "90" and the 15-digit millisecond time). */
function idFloor(at: Date): string {
  return `90${at.getTime().toString().padStart(15, "0")}`;
}

const HOUR_MS = 3_600_000;

/** Per-hour counts by event type since `since`, from the time encoded in the log id (one index range scan). */
export async function countLogsPerHour(
  sql: TRawSql,
  since: Date,
): Promise<{ hour: number; type: string; n: number }[]> {
  const bucket =
    sql.kind === "postgres"
      ? 'CAST(substr("id", 3, 15) AS BIGINT) / 3600000'
      : 'CAST(substr("id", 3, 15) AS INTEGER) / 3600000';
  const rows = await sql.all<{ hour: number | string; type: string; n: number | string }>(
    `SELECT ${bucket} AS hour, "type" AS type, COUNT(*) AS n FROM "LogEvent" WHERE "id" >= ? GROUP BY 1, 2`,
    [idFloor(since)],
  );
  return rows.map((r) => ({ hour: Number(r.hour) * HOUR_MS, type: r.type, n: Number(r.n) }));
}

/** The values of `column` with the most records of `types` since `since`. */
export async function topLogValues(
  sql: TRawSql,
  column: "ip" | "userName",
  types: string[],
  since: Date,
  limit = 5,
): Promise<{ value: string; n: number }[]> {
  const rows = await sql.all<{ value: string; n: number | string }>(
    `SELECT "${column}" AS value, COUNT(*) AS n FROM "LogEvent" WHERE "id" >= ? AND "type" IN (${types.map(() => "?").join(",")}) AND "${column}" IS NOT NULL GROUP BY "${column}" ORDER BY n DESC LIMIT ${Math.max(1, Math.floor(limit))}`,
    [idFloor(since), ...types],
  );
  return rows.map((r) => ({ value: r.value, n: Number(r.n) }));
}
