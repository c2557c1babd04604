import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps, type TTestDeps } from "../testing/test-deps.ts";
import { createScratchPostgres } from "../testing/scratch-postgres.ts";
import { findPgBouncer, startPgBouncer, type TPgBouncer } from "../testing/pgbouncer.ts";
import { createFixtureUser, seedFixture, type TFixture } from "../testing/fixtures.ts";
import { callToken, passwordParams, type TTokenResult } from "../testing/token-calls.ts";
import { createLogger } from "../platform/logger.ts";
import { updateAttackProtection } from "../admin/protection/update-attack-protection.ts";
import { openRawSql, type TRawSql } from "./raw-sql.ts";
import { applyMigrations, listShippedMigrations } from "./migrate.ts";

const ADMIN_URL = process.env.TEST_POSTGRES_URL;
const PGBOUNCER = findPgBouncer();
if (!PGBOUNCER) {
  console.warn(
    "\n⚠ PgBouncer tests SKIPPED: no pgbouncer binary on PATH or in /usr/sbin (apt-get install pgbouncer; " +
      "PGBOUNCER=<path> names another). They also need TEST_POSTGRES_URL.",
  );
}
const OWNER = { id: "adm_owner", email: "owner@example.com", role: "owner" as const };
const FALLBACK_WARNING =
  "PostgreSQL connection option synchronous_commit=off refused; using SET LOCAL per write";

/** One plain connection to `url`. */
async function connect(url: string) {
  const { default: pg } = await import("pg");
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return c;
}

// PgBouncer 1.18 (Debian 12) in transaction pooling mode: each transaction, or each statement outside one, may run
// on a different server connection, and named prepared statements are not supported (PG_PREPARED_STATEMENTS=false).
describe.skipIf(!ADMIN_URL || !PGBOUNCER)("behind PgBouncer in transaction pooling mode", () => {
  describe.each([
    { label: "refusing `options` (default)", ignore: [] as string[] },
    { label: "ignore_startup_parameters=options", ignore: ["options"] },
  ])("PgBouncer, $label", ({ ignore }) => {
    let bouncer: TPgBouncer | undefined;
    let deps: TTestDeps | undefined;
    /** A connection to the scratch database itself, not through the pooler: what is really stored. */
    let direct: Awaited<ReturnType<typeof connect>> | undefined;
    let fx: TFixture;
    const logged: string[] = [];

    beforeAll(async () => {
      bouncer = await startPgBouncer(ADMIN_URL!, { binary: PGBOUNCER!, ignoreStartupParameters: ignore });
      let directUrl = "";
      const log = createLogger({ LOG_LEVEL: "warn", LOG_FORMAT: "json" }, { write: (l) => logged.push(l) });
      deps = await createTestDeps(
        "postgres",
        { PG_PREPARED_STATEMENTS: "false", PORTCULLIS_ADMIN_EMAIL: "sec@acme.test" },
        {
          log,
          connectVia: (url) => {
            directUrl = url;
            return bouncer!.urlFor(url);
          },
        },
      );
      // Everything but these checks goes through PgBouncer.
      expect(new URL(deps.env.DATABASE_URL).port).not.toBe(new URL(directUrl).port);
      direct = await connect(directUrl);
      fx = await seedFixture(deps);
    });
    afterAll(async () => {
      // The scratch database is dropped directly, not through the pooler; PgBouncer stops even if that fails.
      try {
        await direct?.end();
        await deps?.cleanup();
      } finally {
        await bouncer?.stop();
      }
    });

    const query = async <T>(sql: string, params: unknown[] = []) =>
      (await direct!.query(sql, params)).rows as T[];
    const fallbackWarnings = () => logged.filter((l) => l.includes(FALLBACK_WARNING)).length;

    it("password logins return tokens and store their audit records, refresh tokens and login counts", async () => {
      const users = await Promise.all(
        [1, 2, 3, 4].map((i) =>
          createFixtureUser(deps!, fx, { connection: "database", password: `pooled-pw-${i}` }),
        ),
      );
      // A failure first, so the success also has a brute-force counter to clear (one more write in its batch).
      expect(
        (
          await callToken(deps!, {
            params: passwordParams(fx.clients.web, { ...users[0]!, password: "wrong" }),
          })
        ).status,
      ).toBe(403);
      expect(
        await query(`SELECT 1 FROM "LoginFailure" WHERE "identifier" = $1`, [users[0]!.email]),
      ).toHaveLength(1);
      // Concurrent logins share the pooled server connections.
      const results = await Promise.all(
        users.map((u) =>
          callToken(deps!, {
            params: passwordParams(fx.clients.web, u, {
              audience: fx.apis.orders.identifier,
              scope: "openid offline_access",
            }),
          }),
        ),
      );
      for (const r of results) {
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        expect(Object.keys(r.body)).toEqual(
          expect.arrayContaining(["access_token", "id_token", "refresh_token"]),
        );
      }
      const ids = users.map((u) => u.id);
      const stored = await query<{ userId: string; loginsCount: number; tokens: string; logs: string }>(
        `SELECT u."userId", u."loginsCount",
           (SELECT count(*) FROM "RefreshToken" t WHERE t."userId" = u."id") AS "tokens",
           (SELECT count(*) FROM "LogEvent" l WHERE l."userId" = u."userId" AND l."type" = 'sepft') AS "logs"
         FROM "User" u WHERE u."id" = ANY($1) ORDER BY u."userId"`,
        [ids],
      );
      expect(stored).toEqual(
        users
          .map((u) => ({ userId: u.userId, loginsCount: 1, tokens: "1", logs: "1" }))
          .sort((a, b) => a.userId.localeCompare(b.userId)),
      );
      expect(await query(`SELECT 1 FROM "LoginFailure" WHERE "identifier" = $1`, [users[0]!.email])).toEqual(
        [],
      );
    });

    it("refused attempts are refused and their audit records stored, with asynchronous commit", async () => {
      await updateAttackProtection(deps!, OWNER, "brute-force-protection", { max_attempts: 3 });
      const user = await createFixtureUser(deps!, fx, { connection: "database", password: "blocked-soon-1" });
      const attempt = (password: string): Promise<TTokenResult> =>
        callToken(deps!, {
          params: passwordParams(fx.clients.web, { ...user, password }),
          socketIp: "203.0.113.7",
        });
      for (let i = 0; i < 3; i++) expect((await attempt("wrong")).status).toBe(403);
      const refused: TTokenResult[] = [];
      for (let i = 0; i < 5; i++) refused.push(await attempt(i === 4 ? user.password : "wrong"));
      for (const r of refused) {
        expect(r.status).toBe(429);
        expect(r.body.error).toBe("too_many_attempts");
        expect(r.logs.map((l) => l.type)).toEqual(["limit_wc"]);
      }
      const ids = refused.map((r) => r.logs[0]!.log_id);
      const stored = await query<{ id: string; type: string; ip: string }>(
        `SELECT "id", "type", "ip" FROM "LogEvent" WHERE "id" = ANY($1) ORDER BY "id"`,
        [ids],
      );
      expect(stored).toEqual(ids.sort().map((id) => ({ id, type: "limit_wc", ip: "203.0.113.7" })));
      expect(logged.filter((l) => l.includes("could not write audit record"))).toEqual([]);
      // PgBouncer refuses the relaxed pool's `options`: found out once, then SET LOCAL in a transaction per write.
      expect(fallbackWarnings()).toBe(ignore.length ? 0 : 1);

      // The setting of the server connection that ran the relaxed write, recorded by the write itself.
      const row = stored[0];
      const stamp = `UPDATE "LogEvent" SET "description" = current_setting('synchronous_commit') WHERE "id" = ?`;
      const setting = async () =>
        (
          await query<{ description: string }>(`SELECT "description" FROM "LogEvent" WHERE "id" = $1`, [
            row!.id,
          ])
        )[0]!.description;
      await deps!.db.runRelaxed(stamp, [row!.id]);
      expect(await setting()).toBe("off");
      // SET LOCAL ended with its transaction: the next client of that server connection commits synchronously.
      for (let i = 0; i < 3; i++) {
        await deps!.db.run(stamp, [row!.id]);
        expect(await setting()).toBe("on");
      }
    });

    it("a refresh token obtained through the pooler is exchanged through it", async () => {
      const user = await createFixtureUser(deps!, fx, { connection: "database", password: "refresh-me-1" });
      const login = await callToken(deps!, {
        params: passwordParams(fx.clients.web, user, {
          audience: fx.apis.orders.identifier,
          scope: "openid offline_access",
        }),
      });
      expect(login.status).toBe(200);
      const refreshed = await callToken(deps!, {
        params: {
          grant_type: "refresh_token",
          client_id: fx.clients.web.clientId,
          client_secret: fx.clients.web.secret,
          refresh_token: String(login.body.refresh_token),
        },
      });
      expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
      expect(typeof refreshed.body.access_token).toBe("string");
      expect(refreshed.body.refresh_token).not.toBe(login.body.refresh_token);
      expect(refreshed.logs.map((l) => l.type)).toEqual(["sertft"]);
      const tokens = await query<{ rotated: boolean }>(
        `SELECT "rotatedAt" IS NOT NULL AS "rotated" FROM "RefreshToken" WHERE "userId" = $1`,
        [user.id],
      );
      expect(tokens.map((t) => t.rotated).sort()).toEqual([false, true]);
    });
  });

  // `portcullis serve` migrates through DATABASE_URL, so through the pooler, and several processes may start at once.
  it("processes starting at once apply each migration once, and leave no lock behind", async () => {
    const bouncer = await startPgBouncer(ADMIN_URL!, { binary: PGBOUNCER! });
    const scratch = await createScratchPostgres(ADMIN_URL!, "portcullis_pgbouncer");
    try {
      const url = bouncer.urlFor(scratch.url);
      // Every one settles before the database is dropped, also when one fails.
      const results = (await Promise.allSettled([1, 2, 3].map(() => applyMigrations(url)))).map((r) => {
        if (r.status === "rejected") throw r.reason;
        return r.value;
      });
      expect(results.flatMap((r) => r.applied).sort()).toEqual(
        listShippedMigrations("postgres").map((m) => m.name),
      );
      const c = await connect(scratch.url);
      try {
        const locks = await c.query(
          `SELECT 1 FROM pg_locks WHERE "locktype" = 'advisory' AND "objid" = 727274`,
        );
        expect(locks.rows).toEqual([]);
      } finally {
        await c.end();
      }
      expect(await applyMigrations(url)).toMatchObject({ applied: [] });
    } finally {
      try {
        await scratch.drop();
      } finally {
        await bouncer.stop();
      }
    }
  });

  // Why PG_PREPARED_STATEMENTS=false is needed with this PgBouncer: a client prepares a named statement on the
  // server connection it happened to get, then reuses the name on whichever connection its next transaction gets.
  describe("named prepared statements (PG_PREPARED_STATEMENTS=true)", () => {
    let bouncer: TPgBouncer | undefined;
    let scratch: { url: string; drop(): Promise<void> } | undefined;

    beforeAll(async () => {
      bouncer = await startPgBouncer(ADMIN_URL!, { binary: PGBOUNCER! });
      scratch = await createScratchPostgres(ADMIN_URL!, "portcullis_pgbouncer");
    });
    afterAll(async () => {
      try {
        await scratch?.drop();
      } finally {
        await bouncer?.stop();
      }
    });

    /** Prepare the statement, then keep the server connection that has it busy and run the statement again. */
    async function runAfterLosingTheConnection(isPrepared: boolean): Promise<number> {
      const url = bouncer!.urlFor(scratch!.url);
      const sql: TRawSql = await openRawSql({ DATABASE_URL: url, PG_PREPARED_STATEMENTS: isPrepared });
      const holders: Awaited<ReturnType<typeof connect>>[] = [];
      try {
        const statement = `SELECT ?::int + 1 AS "n"`;
        expect(await sql.all(statement, [1])).toEqual([{ n: 2 }]);
        // Hold server connections in open transactions until one of them is the one the statement ran on (it
        // has the prepared statement, or any when unnamed). PgBouncer hands out the most recently used idle one,
        // so this is usually the first.
        for (let i = 0; i < 10; i++) {
          const holder = await connect(url);
          holders.push(holder);
          await holder.query("BEGIN");
          const names = await holder.query<{ name: string }>(`SELECT "name" FROM pg_prepared_statements`);
          if (names.rows.length > 0 || !isPrepared) break;
        }
        const [row] = await sql.all<{ n: number }>(statement, [2]);
        return row!.n;
      } finally {
        for (const h of holders) await h.end();
        await sql.close();
      }
    }

    it("fail once a client's next transaction lands on another server connection; unnamed ones do not", async () => {
      await expect(runAfterLosingTheConnection(true)).rejects.toThrow(
        /prepared statement "pc1" does not exist/,
      );
      expect(await runAfterLosingTheConnection(false)).toBe(3);
    });
  });
});
