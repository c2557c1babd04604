import { sqliteDate, type TRawSql, type TSqlRunner, type TSqlValue } from "./sql-runner.ts";

// The SQLite runner: one better-sqlite3 connection per process, shared by every request.

/** Open the SQLite database in `file` (WAL, synchronous=NORMAL, foreign keys on). */
export async function openSqlite(file: string): Promise<TRawSql> {
  const { default: Database } = await import("better-sqlite3");
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  // Never wait synchronously for a lock: another connection in this same thread (a second store opened by a tool
  // or a test) may hold it across an await, so a blocking wait here could never succeed, and a wait would stall
  // every request of the process. Busy writes are retried asynchronously instead.
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
