import { randomBytes } from "node:crypto";
import type { TEnv } from "../platform/env.ts";
import { errorMessage, getProcessLogger, type TLogger } from "../platform/logger.ts";

/** A value bound to a SQL parameter. Dates are bound as UTC text in the format Prisma stores. */
export type TSqlValue = string | number | boolean | null | Date;

/**
 * What every store query takes as its first argument: the store itself or a transaction of it. Store modules read
 * `kind` where the dialects differ; code outside `server/store/` never needs it.
 */
export interface TSqlRunner {
  readonly kind: "sqlite" | "postgres";
  all<T>(sql: string, params?: TSqlValue[]): Promise<T[]>;
  run(sql: string, params?: TSqlValue[]): Promise<number>;
  /**
   * Run `fn` atomically: on the store, in a new transaction; inside a transaction, as part of it (the outermost
   * one commits or rolls back everything). Keep it to SQL: no unrelated awaits inside.
   */
  transaction<T>(fn: (q: TSqlRunner) => Promise<T>): Promise<T>;
}

/** Where a write that needs no answer goes: a runner, or a batch that `TRawSql.writeAll` applies at once. */
export interface TSqlWriter {
  run(sql: string, params?: TSqlValue[]): Promise<unknown>;
}

/**
 * Plain SQL over the database driver, for the login hot path only: Prisma's query compiler costs about 1 ms of
 * CPU per query, more than everything else a login does besides hashing. SQL is written once with `?`
 * placeholders and double-quoted Prisma table/column names; the PostgreSQL runner renumbers them to `$n`.
 * Booleans come back as 0/1 from SQLite and true/false from PostgreSQL: read them with `Boolean()`.
 */
export interface TRawSql extends TSqlRunner {
  /**
   * One write whose commit does not wait for the disk: a crash may lose the last few such writes, never corrupt
   * anything. For the audit records of refused attempts, so a flood of them is not bound by fsync. SQLite in WAL
   * mode with synchronous=NORMAL commits every write this way; PostgreSQL runs it on a connection whose session
   * has `synchronous_commit = off` (one round trip, no transaction block), or, where the server or a pooler does
   * not take that connection setting, in a transaction with `SET LOCAL synchronous_commit = off`.
   */
  runRelaxed(sql: string, params?: TSqlValue[]): Promise<number>;
  /**
   * Writes that need no answer, applied all or none. `build` hands each write to the writer; they are applied
   * when it returns. SQLite runs them in one transaction; PostgreSQL sends them as ONE statement (each write a
   * data-modifying WITH query), so a login's final writes cost one round trip instead of a transaction's seven.
   * PostgreSQL runs a statement's WITH queries on one snapshot in no set order: the writes must not touch the
   * same row twice or depend on each other.
   */
  writeAll(build: (w: TSqlWriter) => void | Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/**
 * The store as seen from inside one of its transactions: every statement (relaxed writes and batches included) runs
 * in `tx`, so code written against the store — a use case given `{ ...deps, db: storeWithin(tx) }` — commits or
 * rolls back with the caller's transaction. It cannot be closed.
 */
export function storeWithin(tx: TSqlRunner): TRawSql {
  return {
    kind: tx.kind,
    all: (sql, params) => tx.all(sql, params),
    run: (sql, params) => tx.run(sql, params),
    transaction: (fn) => tx.transaction(fn),
    runRelaxed: (sql, params) => tx.run(sql, params),
    async writeAll(build) {
      await build(tx);
    },
    close: () => Promise.reject(new Error("A transaction's store view cannot be closed.")),
  };
}

/** Prisma's SQLite DateTime text format. */
export function sqliteDate(d: Date): string {
  return d.toISOString().replace("Z", "+00:00");
}

/** Parse a DateTime column from either driver. */
export function readDate(v: unknown): Date {
  return v instanceof Date ? v : new Date(String(v));
}

/** Open the raw SQL runner for `env.DATABASE_URL`. */
export async function openRawSql(
  env: Pick<TEnv, "DATABASE_URL"> & Partial<Pick<TEnv, "PG_PREPARED_STATEMENTS">>,
  log?: TLogger,
): Promise<TRawSql> {
  const url = env.DATABASE_URL;
  return url.startsWith("file:")
    ? openSqlite(url.slice("file:".length))
    : openPostgres(url, { isPrepared: env.PG_PREPARED_STATEMENTS ?? true, log });
}

async function openSqlite(file: string): Promise<TRawSql> {
  const { default: Database } = await import("better-sqlite3");
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  // Never wait synchronously for a lock: Prisma's connection in this same thread may hold it across an await,
  // so a blocking wait here could never succeed. Busy writes are retried asynchronously instead.
  db.pragma("busy_timeout = 0");
  const statements = new Map<string, import("better-sqlite3").Statement>();
  const prepare = (sql: string) => {
    let s = statements.get(sql);
    if (!s) {
      s = db.prepare(sql);
      statements.set(sql, s);
    }
    return s;
  };
  const bind = (params: TSqlValue[]) =>
    params.map((p) => (p instanceof Date ? sqliteDate(p) : typeof p === "boolean" ? (p ? 1 : 0) : p));
  // The connection is shared by every request of this process. While a transaction is open (its callback awaits
  // between statements, so other requests' code can run in between), statements from outside it must wait:
  // otherwise they would silently join it, and vanish if it rolls back.
  // Waiting is written inline (`while (open) await open`), never through a helper function: the check and the
  // statement after it must run in one synchronous stretch, or a transaction could open in between.
  let open: Promise<void> | null = null;
  const inTx: TSqlRunner = {
    kind: "sqlite",
    transaction: (fn) => fn(inTx),
    async all<T>(sql: string, params: TSqlValue[] = []) {
      return prepare(sql).all(...bind(params)) as T[];
    },
    async run(sql: string, params: TSqlValue[] = []) {
      return prepare(sql).run(...bind(params)).changes;
    },
  };
  const raw: TRawSql = {
    kind: "sqlite",
    async all<T>(sql: string, params: TSqlValue[] = []) {
      // A write that returns rows (INSERT/UPDATE/DELETE … RETURNING) is a lone write like `run` below.
      if (!prepare(sql).readonly) return raw.transaction((q) => q.all<T>(sql, params));
      while (open) await open;
      return prepare(sql).all(...bind(params)) as T[];
    },
    // A lone write is a one-statement transaction: it queues behind an open one and retries while another
    // connection holds the lock, instead of failing at once with SQLITE_BUSY (busy_timeout is 0, see above). So a
    // single statement on the store never needs a transaction around it to run alone, on either database.
    async run(sql: string, params: TSqlValue[] = []) {
      return raw.transaction((q) => q.run(sql, params));
    },
    runRelaxed(sql: string, params: TSqlValue[] = []) {
      return raw.run(sql, params);
    },
    async transaction<T>(fn: (q: TSqlRunner) => Promise<T>): Promise<T> {
      for (let attempt = 0; ; attempt++) {
        while (open) await open;
        // No await between this check and BEGIN: the next waiter sees `open` set.
        try {
          db.exec("BEGIN IMMEDIATE");
        } catch (err) {
          // Another process (or Prisma's connection) holds the write lock: retry without blocking the thread.
          if ((err as { code?: string }).code === "SQLITE_BUSY" && attempt < 500) {
            await new Promise((r) => setTimeout(r, Math.min(2 + attempt, 20)));
            continue;
          }
          throw err;
        }
        let release!: () => void;
        open = new Promise<void>((r) => (release = r));
        try {
          const result = await fn(inTx);
          db.exec("COMMIT");
          return result;
        } catch (err) {
          if (db.inTransaction) db.exec("ROLLBACK");
          throw err;
        } finally {
          open = null;
          release();
        }
      }
    },
    async writeAll(build) {
      await raw.transaction(async (q) => {
        await build(q);
      });
    },
    async close() {
      db.close();
    },
  };
  return raw;
}

/** Distinct statement texts prepared by name on each PostgreSQL connection. */
const MAX_PREPARED_STATEMENTS = 200;

async function openPostgres(url: string, opts: { isPrepared: boolean; log?: TLogger }): Promise<TRawSql> {
  const { log } = opts;
  const { default: pg } = await import("pg");
  const types = {
    // Prisma's DateTime is `timestamp(3)` without time zone holding UTC; pg would read it as local time.
    getTypeParser: ((oid: number, format?: string) =>
      oid === 1114
        ? (s: string) => new Date(s.replace(" ", "T") + "Z")
        : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({ connectionString: url, max: 10, types });
  // Writes that need not wait for the disk (runRelaxed): a few connections with asynchronous commit.
  const relaxedPool = new pg.Pool({
    connectionString: url,
    max: 2,
    types,
    options: "-c synchronous_commit=off",
  });
  // An idle client's connection can die (database restart, failover, a dropped test database): pg then emits
  // "error" on the pool, which would crash the process without a listener. The pool replaces the client.
  for (const p of [pool, relaxedPool]) {
    p.on("error", (err) => {
      (log ?? getProcessLogger()).error({ err: err.message }, "idle PostgreSQL connection lost");
    });
  }
  let closing: Promise<void> | undefined;
  // Each statement text becomes a named prepared statement: every connection parses and plans it once, then only
  // binds and executes it (the login path's statements are few and fixed). Texts beyond the cap run unnamed.
  const prepared = new Map<string, { name?: string; text: string }>();
  const statement = (sql: string) => {
    let out = prepared.get(sql);
    if (out === undefined) {
      let i = 0;
      const text = sql.replace(/\?/g, () => `$${++i}`);
      out =
        opts.isPrepared && prepared.size < MAX_PREPARED_STATEMENTS
          ? { name: `pc${prepared.size + 1}`, text }
          : { text };
      prepared.set(sql, out);
    }
    return out;
  };
  // UTC text, so the server's time zone never shifts a timestamp without time zone.
  const bind = (params: TSqlValue[]) => params.map((p) => (p instanceof Date ? p.toISOString() : p));
  const runnerFor = (c: { query: import("pg").Pool["query"] }): Omit<TSqlRunner, "transaction"> => ({
    kind: "postgres",
    async all<T>(sql: string, params: TSqlValue[] = []) {
      return (await c.query({ ...statement(sql), values: bind(params) })).rows as T[];
    },
    async run(sql: string, params: TSqlValue[] = []) {
      return (await c.query({ ...statement(sql), values: bind(params) })).rowCount ?? 0;
    },
  });
  const relaxedRunner = runnerFor(relaxedPool);
  // The `options` startup parameter is refused by some poolers (PgBouncer without ignore_startup_parameters) and
  // ignored by others; ask once whether it took, and otherwise set it per transaction, which every setup honours.
  let relaxedMode: Promise<"session" | "transaction"> | undefined;
  const relaxedModeOnce = () =>
    (relaxedMode ??= relaxedPool.query("SHOW synchronous_commit").then(
      (r) =>
        (r.rows[0] as { synchronous_commit?: string } | undefined)?.synchronous_commit === "off"
          ? "session"
          : "transaction",
      (err: unknown) => {
        (log ?? getProcessLogger()).warn(
          { err: errorMessage(err) },
          "PostgreSQL connection option synchronous_commit=off refused; using SET LOCAL per write",
        );
        return "transaction" as const;
      },
    ));
  const raw: TRawSql = {
    ...runnerFor(pool),
    async runRelaxed(sql: string, params: TSqlValue[] = []) {
      if ((await relaxedModeOnce()) === "session") return relaxedRunner.run(sql, params);
      return raw.transaction(async (q) => {
        await q.run("SET LOCAL synchronous_commit = off");
        return q.run(sql, params);
      });
    },
    async transaction<T>(fn: (q: TSqlRunner) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const q: TSqlRunner = {
          ...runnerFor(client as unknown as { query: import("pg").Pool["query"] }),
          transaction: (inner) => inner(q),
        };
        const result = await fn(q);
        await client.query("COMMIT");
        return result;
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    async writeAll(build) {
      const writes: { sql: string; params: TSqlValue[] }[] = [];
      await build({
        async run(sql: string, params: TSqlValue[] = []) {
          writes.push({ sql, params });
        },
      });
      const [first] = writes;
      if (!first) return;
      if (writes.length === 1) {
        await raw.run(first.sql, first.params);
        return;
      }
      // The texts are few (which writes a login makes), so the combined statement is prepared like any other.
      await raw.all(
        `WITH ${writes.map((w, i) => `w${i} AS (${w.sql})`).join(", ")} SELECT 1`,
        writes.flatMap((w) => w.params),
      );
    },
    // Idempotent (pool.end() throws when called twice), and every caller waits until the connections are closed.
    close() {
      closing ??= Promise.all([pool.end(), relaxedPool.end()]).then(() => undefined);
      return closing;
    },
  };
  return raw;
}

/**
 * A new primary key for tables whose Prisma model says `@default(cuid())`: 25 lowercase characters starting with
 * "c", like a cuid, from 120 random bits (Prisma fills the default itself only when it writes the row).
 */
export function newRowId(): string {
  const bytes = randomBytes(15);
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return "c" + n.toString(36).padStart(24, "0").slice(-24);
}

/** Whether `err` is a unique-constraint violation from either driver (SQLite or PostgreSQL). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "23505";
}
