import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "../platform/env.ts";
import { createDeps, type TDeps } from "../config/deps.ts";
import { createManualClock } from "../platform/clock.ts";
import { applyMigrations } from "../store/migrate.ts";
import { createScratchPostgres } from "./scratch-postgres.ts";
import { createLogger, type TLogger } from "../platform/logger.ts";

export type TDbKind = "sqlite" | "postgres";

/** Database kinds the integration tier runs on: SQLite always, PostgreSQL when TEST_POSTGRES_URL is set. */
export function testDatabaseKinds(): TDbKind[] {
  return process.env.TEST_POSTGRES_URL ? ["sqlite", "postgres"] : ["sqlite"];
}

export type TTestDeps = TDeps & { clock: ReturnType<typeof createManualClock>; cleanup(): Promise<void> };

/**
 * Fresh, migrated database plus dependencies with a manual clock. SQLite: a temp file. PostgreSQL: a database
 * created on the TEST_POSTGRES_URL server and dropped by cleanup(). `connectVia` maps the migrated database's URL
 * to the one the dependencies use (a pooler in front of it).
 */
export async function createTestDeps(
  kind: TDbKind = "sqlite",
  envOverrides: Record<string, string> = {},
  opts: { log?: TLogger; connectVia?: (url: string) => string } = {},
): Promise<TTestDeps> {
  let url: string;
  let drop: () => Promise<void>;
  if (kind === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "portcullis-test-"));
    url = `file:${join(dir, "test.db")}`;
    drop = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const admin = process.env.TEST_POSTGRES_URL;
    if (!admin) throw new Error("TEST_POSTGRES_URL is not set");
    const scratch = await createScratchPostgres(admin, "portcullis_test");
    url = scratch.url;
    drop = scratch.drop;
  }
  await applyMigrations(url);
  if (opts.connectVia) url = opts.connectVia(url);
  // Quiet unless LOG_LEVEL asks for the log; tests that check it pass their own logger.
  const env = parseEnv({
    DATABASE_URL: url,
    PUBLIC_URL: "https://portcullis.test",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
    ...envOverrides,
  });
  const clock = createManualClock(new Date());
  const masterKey = envOverrides.PORTCULLIS_MASTER_KEY
    ? Buffer.from(envOverrides.PORTCULLIS_MASTER_KEY, "base64")
    : randomBytes(32);
  const deps = await createDeps(env, { clock, masterKey, log: opts.log ?? createLogger(env) });
  return {
    ...deps,
    clock,
    async cleanup() {
      await deps.close();
      await drop();
    },
  };
}
