import { errorMessage, getProcessLogger, type TLogger } from "../platform/logger.ts";
import type { TRawSql, TSqlRunner, TSqlValue } from "./sql-runner.ts";

// The PostgreSQL runner: a pg pool with named prepared statements, and a second small pool for relaxed writes.

/** Distinct statement texts prepared by name on each PostgreSQL connection. */
const MAX_PREPARED_STATEMENTS = 200;

/** Open the PostgreSQL database at `url`. */
export async function openPostgres(
  url: string,
  opts: { isPrepared: boolean; log?: TLogger },
): Promise<TRawSql> {
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
