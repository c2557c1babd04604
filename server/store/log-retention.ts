import type { TRawSql } from "./raw-sql.ts";

/**
 * Delete at most `limit` audit records whose id sorts below `beforeId` (ids begin with their time, so this is a
 * primary-key range), oldest first, in one short statement. On PostgreSQL rows another process is deleting right
 * now are skipped, so several processes pruning at once take disjoint batches instead of waiting on each other.
 */
export async function deleteLogsBefore(sql: TRawSql, beforeId: string, limit: number): Promise<number> {
  const lock = sql.kind === "postgres" ? " FOR UPDATE SKIP LOCKED" : "";
  return sql.run(
    `DELETE FROM "LogEvent" WHERE id IN (SELECT id FROM "LogEvent" WHERE id < ? ORDER BY id LIMIT ?${lock})`,
    [beforeId, limit],
  );
}
