import type { TEnv } from "../platform/env.ts";
import type { TLogger } from "../platform/logger.ts";
import type { TRawSql } from "./sql-runner.ts";
import { openSqlite } from "./sqlite-runner.ts";
import { openPostgres } from "./postgres-runner.ts";

// The store's entry point: one SQL runner per dialect behind one contract (sql-runner.ts, re-exported here so
// store modules import one place).
export * from "./sql-runner.ts";

/** Open the store for `env.DATABASE_URL`: SQLite for a `file:` URL, PostgreSQL otherwise. */
export async function openRawSql(
  env: Pick<TEnv, "DATABASE_URL"> & Partial<Pick<TEnv, "PG_PREPARED_STATEMENTS">>,
  log?: TLogger,
): Promise<TRawSql> {
  const url = env.DATABASE_URL;
  return url.startsWith("file:")
    ? openSqlite(url.slice("file:".length))
    : openPostgres(url, { isPrepared: env.PG_PREPARED_STATEMENTS ?? true, log });
}
