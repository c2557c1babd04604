import { createHash } from "node:crypto";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import type { TSqlRunner } from "./raw-sql.ts";

export type TMigrationResult = { applied: string[]; alreadyApplied: number };

/** Locate prisma/<kind>/migrations relative to the working directory or this file. */
export function migrationsDir(kind: "sqlite" | "postgres", root = process.cwd()): string {
  return join(root, "prisma", kind, "migrations");
}

function listMigrations(dir: string): { name: string; sql: string; checksum: string }[] {
  if (!existsSync(dir)) throw new Error(`Migrations directory not found: ${dir}`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

export type TShippedMigration = { name: string; checksum: string };

/** The migrations this build ships for `kind` (name and checksum), read once at server start. */
export function listShippedMigrations(
  kind: "sqlite" | "postgres",
  root = process.cwd(),
): TShippedMigration[] {
  return listMigrations(migrationsDir(kind, root)).map(({ name, checksum }) => ({ name, checksum }));
}

/** The migrations recorded as applied in the database (throws when the table is missing or the database is down). */
export async function readAppliedMigrations(sql: TSqlRunner): Promise<TShippedMigration[]> {
  return sql.all<TShippedMigration>('SELECT name, checksum FROM "_portcullis_migrations" ORDER BY name');
}

export type TMigrationDrift = { pending: string[]; unknown: string[]; edited: string[] };

/**
 * How the applied migrations differ from the shipped ones: not yet applied, applied but not shipped (the database
 * was migrated by a newer build), or applied from a different text. All empty means current.
 */
export function compareMigrations(
  applied: TShippedMigration[],
  shipped: TShippedMigration[],
): TMigrationDrift {
  const recorded = new Map(applied.map((m) => [m.name, m.checksum]));
  const names = new Set(shipped.map((m) => m.name));
  return {
    pending: shipped.filter((m) => !recorded.has(m.name)).map((m) => m.name),
    unknown: applied.filter((m) => !names.has(m.name)).map((m) => m.name),
    edited: shipped
      .filter((m) => recorded.has(m.name) && recorded.get(m.name) !== m.checksum)
      .map((m) => m.name),
  };
}

function checkRecorded(recorded: Map<string, string>, migrations: { name: string; checksum: string }[]) {
  for (const m of migrations) {
    const sum = recorded.get(m.name);
    if (sum !== undefined && sum !== m.checksum) {
      throw new Error(`Migration ${m.name} was edited after it was applied (checksum mismatch).`);
    }
  }
}

/**
 * Apply pending migrations, each in its own transaction, recording them in `_portcullis_migrations`.
 * SQLite takes the write lock with BEGIN IMMEDIATE; PostgreSQL serialises concurrent starters (several server
 * processes on one database) with a transaction-level advisory lock, which also holds behind a pooler.
 */
export async function applyMigrations(databaseUrl: string, root = process.cwd()): Promise<TMigrationResult> {
  if (databaseUrl.startsWith("file:")) return applySqlite(databaseUrl, root);
  return applyPostgres(databaseUrl, root);
}

async function applySqlite(databaseUrl: string, root: string): Promise<TMigrationResult> {
  const { default: Database } = await import("better-sqlite3");
  const { mkdirSync } = await import("node:fs");
  const { dirname } = await import("node:path");
  const file = databaseUrl.slice("file:".length);
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { timeout: 10_000 });
  try {
    db.pragma("journal_mode = WAL");
    db.exec(
      'CREATE TABLE IF NOT EXISTS "_portcullis_migrations" (name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    const migrations = listMigrations(migrationsDir("sqlite", root));
    const applied: string[] = [];
    const run = db.transaction(() => {
      const rows = db.prepare('SELECT name, checksum FROM "_portcullis_migrations"').all() as {
        name: string;
        checksum: string;
      }[];
      const recorded = new Map(rows.map((r) => [r.name, r.checksum]));
      checkRecorded(recorded, migrations);
      for (const m of migrations) {
        if (recorded.has(m.name)) continue;
        db.exec(m.sql);
        db.prepare('INSERT INTO "_portcullis_migrations" (name, checksum, applied_at) VALUES (?, ?, ?)').run(
          m.name,
          m.checksum,
          new Date().toISOString(),
        );
        applied.push(m.name);
      }
      return migrations.length - applied.length;
    });
    const alreadyApplied = run.immediate();
    return { applied, alreadyApplied };
  } finally {
    db.close();
  }
}

async function applyPostgres(databaseUrl: string, root: string): Promise<TMigrationResult> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  // Every step is a transaction holding a transaction-level advisory lock (arbitrary constant: one lock id for
  // "Portcullis schema migration"), released by its COMMIT. A session lock would not do behind a pooler in
  // transaction mode (PgBouncer): the lock, the statements and the unlock could each run on a different server
  // connection, leaving concurrent starters unserialised and the lock held by whichever connection took it.
  const locked = async <T>(fn: () => Promise<T>): Promise<T> => {
    await client.query("BEGIN");
    try {
      await client.query("SELECT pg_advisory_xact_lock(727274)");
      const result = await fn();
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    }
  };
  const readRecorded = async () => {
    const { rows } = await client.query<{ name: string; checksum: string }>(
      'SELECT name, checksum FROM "_portcullis_migrations"',
    );
    return new Map(rows.map((r) => [r.name, r.checksum]));
  };
  try {
    const migrations = listMigrations(migrationsDir("postgres", root));
    const recorded = await locked(async () => {
      await client.query(
        'CREATE TABLE IF NOT EXISTS "_portcullis_migrations" (name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
      );
      return readRecorded();
    });
    checkRecorded(recorded, migrations);
    const applied: string[] = [];
    for (const m of migrations) {
      if (recorded.has(m.name)) continue;
      const isApplied = await locked(async () => {
        // Another process may have applied it since the list above was read.
        if ((await readRecorded()).has(m.name)) return false;
        await client.query(m.sql);
        await client.query('INSERT INTO "_portcullis_migrations" (name, checksum) VALUES ($1, $2)', [
          m.name,
          m.checksum,
        ]);
        return true;
      });
      if (isApplied) applied.push(m.name);
    }
    return { applied, alreadyApplied: migrations.length - applied.length };
  } finally {
    await client.end();
  }
}
