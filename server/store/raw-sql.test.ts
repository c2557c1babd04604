import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { upsertConnectionByName } from "./connections.ts";
import { insertUsers } from "./users.ts";
import { findLoginUser, insertLogRaw, insertLogRelaxed, recordLoginRaw } from "./logins.ts";
import { openRawSql, type TRawSql } from "./raw-sql.ts";
import {
  clearLoginFailures,
  findFailureAndIpBucket,
  loginFailureKey,
  reserveLoginAttempt,
} from "./login-failures.ts";
import { refundIpAttempt, reserveIpAttempt } from "./ip-throttles.ts";

describe.each(testDatabaseKinds())("raw SQL hot path (%s)", (kind) => {
  let deps: TTestDeps;
  let connectionId: string;
  beforeAll(async () => {
    deps = await createTestDeps(kind);
    connectionId = (await upsertConnectionByName(deps.db, { name: "DB" }, { connectionId: "con_1" })).id;
    await insertUsers(deps.db, [
      { userId: "auth0|1", connectionId, email: "Ann@Example.com", username: "ann", passwordHash: "x" },
    ]);
  });
  afterAll(async () => deps.cleanup());

  it("reads what Prisma wrote and Prisma reads what it writes, timestamps exact in UTC", async () => {
    const at = new Date("2026-03-04T05:06:07.089Z");
    const user = await findLoginUser(deps.sql, connectionId, "ANN@example.com");
    expect(user?.userId).toBe("auth0|1");
    expect(user?.blocked).toBe(false);
    await deps.sql.transaction((q) => recordLoginRaw(q, user!.id, at, "10.0.0.1"));
    const viaPrisma = await deps.db.user.findUniqueOrThrow({ where: { userId: "auth0|1" } });
    expect(viaPrisma.lastLogin?.toISOString()).toBe(at.toISOString());
    expect(viaPrisma.loginsCount).toBe(1);
    const viaRaw = await findLoginUser(deps.sql, connectionId, "ann");
    expect(viaRaw?.lastLogin?.toISOString()).toBe(at.toISOString());
    expect(viaRaw?.createdAt.getTime()).toBe(viaPrisma.createdAt.getTime());
  });

  it("a raw write transaction waits for a Prisma transaction that holds the write lock, without deadlocking", async () => {
    const user = (await findLoginUser(deps.sql, connectionId, "ann"))!;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const prismaTx = deps.db.$transaction(
      async (tx) => {
        await tx.user.update({ where: { id: user.id }, data: { nickname: "held" } });
        await held;
      },
      { timeout: 10_000 },
    );
    await new Promise((r) => setTimeout(r, 50));
    const raw = deps.sql.transaction((q) => recordLoginRaw(q, user.id, new Date(), "10.0.0.2"));
    setTimeout(release, 100);
    await Promise.all([prismaTx, raw]);
    const after = await deps.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(after.nickname).toBe("held");
    expect(after.lastIp).toBe("10.0.0.2");
  });

  it("rolls back everything when the transaction callback fails", async () => {
    const user = (await findLoginUser(deps.sql, connectionId, "ann"))!;
    const before = user.loginsCount;
    await expect(
      deps.sql.transaction(async (q) => {
        await recordLoginRaw(q, user.id, new Date(), "10.0.0.3");
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect((await findLoginUser(deps.sql, connectionId, "ann"))!.loginsCount).toBe(before);
  });

  it("writeAll applies a login's writes together, and none of them when one fails", async () => {
    const at = new Date("2026-05-06T07:08:09.010Z");
    const user = (await findLoginUser(deps.sql, connectionId, "ann"))!;
    const key = loginFailureKey({ connectionId, identifier: "ann", ip: "10.7.7.7" });
    await reserveLoginAttempt(
      deps.sql,
      { connectionId, identifier: "ann", ip: "10.7.7.7" },
      {
        now: at,
        expiredBefore: new Date(0),
        maxAttempts: 10,
        isBlocking: true,
      },
    );
    await reserveIpAttempt(deps.sql, "10.7.7.7", { now: at, rateMs: 1000, maxAttempts: 5 });
    const state = async () => ({
      user: (await findLoginUser(deps.sql, connectionId, "ann"))!.loginsCount,
      failure: (await findFailureAndIpBucket(deps.sql, key, "10.7.7.7")).failure?.count ?? 0,
      tat: (await findFailureAndIpBucket(deps.sql, null, "10.7.7.7")).ipBucket?.tat,
      logs: await deps.db.logEvent.count({ where: { ip: "10.7.7.7" } }),
    });
    const before = await state();
    expect(before.failure).toBe(1);

    // A duplicate audit id fails the last write: the counter, the bucket and the user stay as they were.
    const taken = await insertLogRaw(deps.sql, { type: "s", ip: "10.7.7.8" }, at);
    await expect(
      deps.sql.writeAll(async (w) => {
        await clearLoginFailures(w, [key]);
        await refundIpAttempt(w, "10.7.7.7", 1000);
        await recordLoginRaw(w, user.id, at, "10.7.7.7");
        await insertLogRaw(w, { type: "s", ip: "10.7.7.7" }, at);
        await w.run(`INSERT INTO "LogEvent" ("id","date","type","details") VALUES (?,?,?,?)`, [
          taken,
          at,
          "s",
          "{}",
        ]);
      }),
    ).rejects.toThrow();
    expect(await state()).toEqual(before);

    await deps.sql.writeAll(async (w) => {
      await clearLoginFailures(w, [key]);
      await refundIpAttempt(w, "10.7.7.7", 1000);
      await recordLoginRaw(w, user.id, at, "10.7.7.7");
      await insertLogRaw(w, { type: "s", ip: "10.7.7.7" }, at);
    });
    expect(await state()).toEqual({
      user: before.user + 1,
      failure: 0,
      tat: before.tat! - 1000,
      logs: before.logs + 1,
    });
    await deps.sql.writeAll(() => undefined);
  });

  it.runIf(kind === "postgres")("writeAll sends its writes to PostgreSQL as one statement", async () => {
    const a = await insertLogRaw(deps.sql, { type: "s", ip: "10.7.7.9" }, new Date());
    const b = await insertLogRaw(deps.sql, { type: "s", ip: "10.7.7.9" }, new Date());
    const stamp = `UPDATE "LogEvent" SET "description" = statement_timestamp()::text WHERE "id" = ?`;
    await deps.sql.writeAll(async (w) => {
      await w.run(stamp, [a]);
      await w.run(stamp, [b]);
    });
    const rows = await deps.db.logEvent.findMany({ where: { id: { in: [a, b] } } });
    expect(rows).toHaveLength(2);
    // statement_timestamp() is the start of the current statement: two statements would differ.
    expect(rows[0]!.description).toMatch(/^\d{4}-/);
    expect(rows[0]!.description).toBe(rows[1]!.description);
  });

  it.runIf(kind === "postgres")(
    "prepares statements by name once per connection, or not at all with PG_PREPARED_STATEMENTS=false",
    async () => {
      const preparedNames = (sql: TRawSql) =>
        sql.transaction(async (q) => {
          await q.all(`SELECT "id" FROM "User" WHERE "id" = ?`, ["nobody"]);
          const rows = await q.all<{ name: string }>(`SELECT "name" FROM pg_prepared_statements`);
          return rows.map((r) => r.name);
        });
      expect((await preparedNames(deps.sql)).some((n) => /^pc\d+$/.test(n))).toBe(true);
      const unnamed = await openRawSql({
        DATABASE_URL: deps.env.DATABASE_URL,
        PG_PREPARED_STATEMENTS: false,
      });
      try {
        expect(await preparedNames(unnamed)).toEqual([]);
        expect(await findLoginUser(unnamed, connectionId, "ann")).toMatchObject({ userId: "auth0|1" });
      } finally {
        await unnamed.close();
      }
    },
  );

  it("reads an identifier's failure counter and an IP's bucket in one statement, either or both missing", async () => {
    const at = new Date("2026-03-04T05:06:07.089Z");
    const key = { connectionId, identifier: "ann@example.com", ip: "" };
    await reserveLoginAttempt(deps.sql, key, {
      now: at,
      expiredBefore: new Date(0),
      maxAttempts: 10,
      isBlocking: true,
    });
    await reserveIpAttempt(deps.sql, "10.9.9.9", { now: at, rateMs: 1000, maxAttempts: 5 });
    const both = await findFailureAndIpBucket(deps.sql, loginFailureKey(key), "10.9.9.9");
    expect(both.failure).toMatchObject({ identifier: "ann@example.com", count: 1, blockedAt: null });
    expect(both.failure?.lastFailureAt.toISOString()).toBe(at.toISOString());
    expect(both.ipBucket).toMatchObject({ ip: "10.9.9.9", tat: at.getTime() + 1000, blockedAt: null });
    expect(both.ipBucket?.lastFailureAt.toISOString()).toBe(at.toISOString());
    const noIp = await findFailureAndIpBucket(deps.sql, loginFailureKey(key), "10.9.9.10");
    expect(noIp.failure?.count).toBe(1);
    expect(noIp.ipBucket).toBeNull();
    const noFailure = await findFailureAndIpBucket(deps.sql, "nobody|x|", "10.9.9.9");
    expect(noFailure).toMatchObject({ failure: null, ipBucket: { ip: "10.9.9.9" } });
    expect(await findFailureAndIpBucket(deps.sql, null, null)).toEqual({ failure: null, ipBucket: null });
  });

  it("a relaxed write (refusal audit records) is stored, and on PostgreSQL commits without waiting for the disk", async () => {
    const id = await insertLogRelaxed(
      deps.sql,
      { type: "limit_mu", description: "relaxed", ip: "10.0.0.9" },
      new Date(),
    );
    const stored = await deps.db.logEvent.findUniqueOrThrow({ where: { id } });
    expect(stored.type).toBe("limit_mu");
    expect(stored.description).toBe("relaxed");
    if (kind === "postgres") {
      // The setting of the connection that ran the write, recorded by the write itself.
      const marker = `sync-${Date.now()}`;
      await deps.sql.runRelaxed(
        `UPDATE "LogEvent" SET "description" = ? || current_setting('synchronous_commit') WHERE "id" = ?`,
        [marker + ":", id],
      );
      const after = await deps.db.logEvent.findUniqueOrThrow({ where: { id } });
      expect(after.description).toBe(`${marker}:off`);
      await deps.sql.run(
        `UPDATE "LogEvent" SET "description" = ? || current_setting('synchronous_commit') WHERE "id" = ?`,
        [marker + ":", id],
      );
      expect((await deps.db.logEvent.findUniqueOrThrow({ where: { id } })).description).toBe(`${marker}:on`);
    }
  });
});

describe("raw SQL on one shared SQLite connection", () => {
  it("a statement issued while another request's transaction is open waits for it instead of joining it", async () => {
    const deps = await createTestDeps("sqlite");
    try {
      const conn = (await upsertConnectionByName(deps.db, { name: "DB" }, { connectionId: "con_1" })).id;
      await insertUsers(deps.db, [{ userId: "auth0|1", connectionId: conn, email: "a@example.com" }]);
      const user = (await findLoginUser(deps.sql, conn, "a@example.com"))!;
      let outside: Promise<void> | undefined;
      await expect(
        deps.sql.transaction(async (q) => {
          await recordLoginRaw(q, user.id, new Date(), "10.0.0.1");
          // Another request writes while this transaction is still open…
          outside = deps.sql
            .run(`UPDATE "User" SET "nickname" = ? WHERE "id" = ?`, ["kept", user.id])
            .then(() => undefined);
          await Promise.resolve();
          throw new Error("roll back");
        }),
      ).rejects.toThrow("roll back");
      await outside;
      const after = await deps.db.user.findUniqueOrThrow({ where: { id: user.id } });
      // …and its write survives the other transaction's rollback, which itself left nothing behind.
      expect(after.nickname).toBe("kept");
      expect(after.loginsCount).toBe(0);
    } finally {
      await deps.cleanup();
    }
  });
});
