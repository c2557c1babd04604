import { randomBytes } from "node:crypto";

// The SQL runner's contract, shared by both dialects (sqlite-runner.ts, postgres-runner.ts) and by every store
// module: what a query takes (TSqlRunner), what the store root adds (TRawSql), and the value conversions.

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
 * The store: plain SQL over the database driver, for every table (`deps.db`). An ORM's query compiler (Prisma's
 * cost about 1 ms of CPU per query) would cost more than everything else a login does besides hashing. SQL is
 * written once with `?` placeholders and double-quoted Prisma table/column names (the schema stays Prisma's);
 * the PostgreSQL runner renumbers them to `$n`.
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

/**
 * A new primary key for tables whose Prisma model says `@default(cuid())`: 25 lowercase characters starting with
 * "c", like the cuids Prisma Client wrote into existing databases, from 120 random bits.
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
