import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { upsertConnectionByName } from "./connections.ts";
import { findUserById, findUserByIdentifier, insertUsers, recordLogin } from "./users.ts";
import { findLog, insertLog, insertLogRelaxed } from "./logs.ts";
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
    connectionId = (
      await upsertConnectionByName(deps.db, { name: "DB" }, { connectionId: "con_1" }, deps.clock.now())
    ).id;
    await insertUsers(
      deps.db,
      [{ userId: "auth0|1", connectionId, email: "Ann@Example.com", username: "ann", passwordHash: "x" }],
      deps.clock.now(),
    );
  });
  afterAll(async () => deps.cleanup());

  // Databases written by earlier versions hold Prisma Client's formats; the store must read and write them exactly.
  it("reads what Prisma wrote and Prisma reads what it writes, timestamps exact in UTC", async () => {
    const at = new Date("2026-03-04T05:06:07.089Z");
    const user = await findUserByIdentifier(deps.db, connectionId, "ANN@example.com");
    expect(user?.userId).toBe("auth0|1");
    expect(user?.blocked).toBe(false);
    await deps.db.transaction((q) => recordLogin(q, user!.id, at, "10.0.0.1"));
    // The stored text is Prisma's: SQLite DateTime as ISO 8601 with "+00:00", PostgreSQL timestamp(3) in UTC.
    const [stored] = await deps.db.all<{ t: string }>(
      kind === "sqlite"
        ? `SELECT "lastLogin" AS "t" FROM "User" WHERE "userId" = ?`
        : `SELECT to_char("lastLogin", 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS "t" FROM "User" WHERE "userId" = ?`,
      ["auth0|1"],
    );
    expect(stored?.t).toBe(kind === "sqlite" ? "2026-03-04T05:06:07.089+00:00" : "2026-03-04T05:06:07.089");
    const viaRaw = await findUserByIdentifier(deps.db, connectionId, "ann");
    expect(viaRaw?.lastLogin?.toISOString()).toBe(at.toISOString());
    expect(viaRaw?.loginsCount).toBe(1);
    // A row in Prisma's format, written by another connection, reads back exactly.
    const other = await openRawSql(deps.env);
    try {
      await other.run(
        kind === "sqlite"
          ? `UPDATE "User" SET "lastPasswordReset" = '2025-01-02T03:04:05.006+00:00' WHERE "userId" = ?`
          : `UPDATE "User" SET "lastPasswordReset" = TIMESTAMP '2025-01-02 03:04:05.006' WHERE "userId" = ?`,
        ["auth0|1"],
      );
    } finally {
      await other.close();
    }
    expect((await findUserById(deps.db, user!.id))?.lastPasswordReset?.toISOString()).toBe(
      "2025-01-02T03:04:05.006Z",
    );
  });

  it("a raw write transaction waits for a Prisma transaction that holds the write lock, without deadlocking", async () => {
    // Another connection (another server process, or a tool) holds the write lock in a transaction.
    const user = (await findUserByIdentifier(deps.db, connectionId, "ann"))!;
    const other = await openRawSql(deps.env);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const otherTx = other.transaction(async (tx) => {
      await tx.run(`UPDATE "User" SET "nickname" = 'held' WHERE "id" = ?`, [user.id]);
      await held;
    });
    try {
      await new Promise((r) => setTimeout(r, 50));
      const raw = deps.db.transaction((q) => recordLogin(q, user.id, new Date(), "10.0.0.2"));
      setTimeout(release, 100);
      await Promise.all([otherTx, raw]);
    } finally {
      release();
      await other.close();
    }
    const after = (await findUserById(deps.db, user.id))!;
    expect(after.nickname).toBe("held");
    expect(after.lastIp).toBe("10.0.0.2");
  });

  it("rolls back everything when the transaction callback fails", async () => {
    const user = (await findUserByIdentifier(deps.db, connectionId, "ann"))!;
    const before = user.loginsCount;
    await expect(
      deps.db.transaction(async (q) => {
        await recordLogin(q, user.id, new Date(), "10.0.0.3");
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect((await findUserByIdentifier(deps.db, connectionId, "ann"))!.loginsCount).toBe(before);
  });

  it("writeAll applies a login's writes together, and none of them when one fails", async () => {
    const at = new Date("2026-05-06T07:08:09.010Z");
    const user = (await findUserByIdentifier(deps.db, connectionId, "ann"))!;
    const key = loginFailureKey({ connectionId, identifier: "ann", ip: "10.7.7.7" });
    await reserveLoginAttempt(
      deps.db,
      { connectionId, identifier: "ann", ip: "10.7.7.7" },
      {
        now: at,
        expiredBefore: new Date(0),
        maxAttempts: 10,
        isBlocking: true,
      },
    );
    await reserveIpAttempt(deps.db, "10.7.7.7", { now: at, rateMs: 1000, maxAttempts: 5 });
    const state = async () => ({
      user: (await findUserByIdentifier(deps.db, connectionId, "ann"))!.loginsCount,
      failure: (await findFailureAndIpBucket(deps.db, key, "10.7.7.7")).failure?.count ?? 0,
      tat: (await findFailureAndIpBucket(deps.db, null, "10.7.7.7")).ipBucket?.tat,
      logs: Number(
        (
          await deps.db.all<{ n: number | string }>(`SELECT COUNT(*) AS n FROM "LogEvent" WHERE "ip" = ?`, [
            "10.7.7.7",
          ])
        )[0]?.n,
      ),
    });
    const before = await state();
    expect(before.failure).toBe(1);

    // A duplicate audit id fails the last write: the counter, the bucket and the user stay as they were.
    const taken = await insertLog(deps.db, { type: "s", ip: "10.7.7.8" }, at);
    await expect(
      deps.db.writeAll(async (w) => {
        await clearLoginFailures(w, [key]);
        await refundIpAttempt(w, "10.7.7.7", 1000);
        await recordLogin(w, user.id, at, "10.7.7.7");
        await insertLog(w, { type: "s", ip: "10.7.7.7" }, at);
        await w.run(`INSERT INTO "LogEvent" ("id","date","type","details") VALUES (?,?,?,?)`, [
          taken,
          at,
          "s",
          "{}",
        ]);
      }),
    ).rejects.toThrow();
    expect(await state()).toEqual(before);

    await deps.db.writeAll(async (w) => {
      await clearLoginFailures(w, [key]);
      await refundIpAttempt(w, "10.7.7.7", 1000);
      await recordLogin(w, user.id, at, "10.7.7.7");
      await insertLog(w, { type: "s", ip: "10.7.7.7" }, at);
    });
    expect(await state()).toEqual({
      user: before.user + 1,
      failure: 0,
      tat: before.tat! - 1000,
      logs: before.logs + 1,
    });
    await deps.db.writeAll(() => undefined);
  });

  it.runIf(kind === "postgres")("writeAll sends its writes to PostgreSQL as one statement", async () => {
    const a = await insertLog(deps.db, { type: "s", ip: "10.7.7.9" }, new Date());
    const b = await insertLog(deps.db, { type: "s", ip: "10.7.7.9" }, new Date());
    const stamp = `UPDATE "LogEvent" SET "description" = statement_timestamp()::text WHERE "id" = ?`;
    await deps.db.writeAll(async (w) => {
      await w.run(stamp, [a]);
      await w.run(stamp, [b]);
    });
    const rows = [await findLog(deps.db, a), await findLog(deps.db, b)].filter((r) => r !== null);
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
      expect((await preparedNames(deps.db)).some((n) => /^pc\d+$/.test(n))).toBe(true);
      const unnamed = await openRawSql({
        DATABASE_URL: deps.env.DATABASE_URL,
        PG_PREPARED_STATEMENTS: false,
      });
      try {
        expect(await preparedNames(unnamed)).toEqual([]);
        expect(await findUserByIdentifier(unnamed, connectionId, "ann")).toMatchObject({ userId: "auth0|1" });
      } finally {
        await unnamed.close();
      }
    },
  );

  it("reads an identifier's failure counter and an IP's bucket in one statement, either or both missing", async () => {
    const at = new Date("2026-03-04T05:06:07.089Z");
    const key = { connectionId, identifier: "ann@example.com", ip: "" };
    await reserveLoginAttempt(deps.db, key, {
      now: at,
      expiredBefore: new Date(0),
      maxAttempts: 10,
      isBlocking: true,
    });
    await reserveIpAttempt(deps.db, "10.9.9.9", { now: at, rateMs: 1000, maxAttempts: 5 });
    const both = await findFailureAndIpBucket(deps.db, loginFailureKey(key), "10.9.9.9");
    expect(both.failure).toMatchObject({ identifier: "ann@example.com", count: 1, blockedAt: null });
    expect(both.failure?.lastFailureAt.toISOString()).toBe(at.toISOString());
    expect(both.ipBucket).toMatchObject({ ip: "10.9.9.9", tat: at.getTime() + 1000, blockedAt: null });
    expect(both.ipBucket?.lastFailureAt.toISOString()).toBe(at.toISOString());
    const noIp = await findFailureAndIpBucket(deps.db, loginFailureKey(key), "10.9.9.10");
    expect(noIp.failure?.count).toBe(1);
    expect(noIp.ipBucket).toBeNull();
    const noFailure = await findFailureAndIpBucket(deps.db, "nobody|x|", "10.9.9.9");
    expect(noFailure).toMatchObject({ failure: null, ipBucket: { ip: "10.9.9.9" } });
    expect(await findFailureAndIpBucket(deps.db, null, null)).toEqual({ failure: null, ipBucket: null });
  });

  it("a relaxed write (refusal audit records) is stored, and on PostgreSQL commits without waiting for the disk", async () => {
    const id = await insertLogRelaxed(
      deps.db,
      { type: "limit_mu", description: "relaxed", ip: "10.0.0.9" },
      new Date(),
    );
    const stored = await findLog(deps.db, id);
    expect(stored?.type).toBe("limit_mu");
    expect(stored?.description).toBe("relaxed");
    if (kind === "postgres") {
      // The setting of the connection that ran the write, recorded by the write itself.
      const marker = `sync-${Date.now()}`;
      await deps.db.runRelaxed(
        `UPDATE "LogEvent" SET "description" = ? || current_setting('synchronous_commit') WHERE "id" = ?`,
        [marker + ":", id],
      );
      expect((await findLog(deps.db, id))?.description).toBe(`${marker}:off`);
      await deps.db.run(
        `UPDATE "LogEvent" SET "description" = ? || current_setting('synchronous_commit') WHERE "id" = ?`,
        [marker + ":", id],
      );
      expect((await findLog(deps.db, id))?.description).toBe(`${marker}:on`);
    }
  });
});

describe("raw SQL on one shared SQLite connection", () => {
  it("a lone write that returns rows waits for another connection's write lock instead of failing", async () => {
    const deps = await createTestDeps("sqlite");
    const other = await openRawSql(deps.env);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    try {
      // Another connection (another server process, or a tool) holds the write lock in a transaction.
      const otherTx = other.transaction(async (tx) => {
        await tx.run(`INSERT INTO "IpThrottle" ("ip","tat","lastFailureAt") VALUES (?,?,?)`, [
          "10.8.8.1",
          0,
          new Date(),
        ]);
        await held;
      });
      await new Promise((r) => setTimeout(r, 50));
      // An INSERT … RETURNING on the store, outside any transaction (no runAlone around it).
      const taken = reserveIpAttempt(deps.db, "10.8.8.2", { now: new Date(), rateMs: 1000, maxAttempts: 5 });
      setTimeout(release, 100);
      const [, isTaken] = await Promise.all([otherTx, taken]);
      expect(isTaken).toBe(true);
      const rows = await deps.db.all<{ ip: string }>(`SELECT "ip" FROM "IpThrottle" ORDER BY "ip"`);
      expect(rows.map((r) => r.ip)).toEqual(["10.8.8.1", "10.8.8.2"]);
    } finally {
      release();
      await other.close();
      await deps.cleanup();
    }
  });

  it("a statement issued while another request's transaction is open waits for it instead of joining it", async () => {
    const deps = await createTestDeps("sqlite");
    try {
      const conn = (
        await upsertConnectionByName(deps.db, { name: "DB" }, { connectionId: "con_1" }, deps.clock.now())
      ).id;
      await insertUsers(
        deps.db,
        [{ userId: "auth0|1", connectionId: conn, email: "a@example.com" }],
        new Date(),
      );
      const user = (await findUserByIdentifier(deps.db, conn, "a@example.com"))!;
      let outside: Promise<void> | undefined;
      await expect(
        deps.db.transaction(async (q) => {
          await recordLogin(q, user.id, new Date(), "10.0.0.1");
          // Another request writes while this transaction is still open…
          outside = deps.db
            .run(`UPDATE "User" SET "nickname" = ? WHERE "id" = ?`, ["kept", user.id])
            .then(() => undefined);
          await Promise.resolve();
          throw new Error("roll back");
        }),
      ).rejects.toThrow("roll back");
      await outside;
      const after = (await findUserById(deps.db, user.id))!;
      // …and its write survives the other transaction's rollback, which itself left nothing behind.
      expect(after.nickname).toBe("kept");
      expect(after.loginsCount).toBe(0);
    } finally {
      await deps.cleanup();
    }
  });
});
