import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { parseLogQuery } from "../management/logs/parse-log-query.ts";
import { checkLogCheckpoint, checkLogPage, LogPagingError } from "../management/logs/check-log-paging.ts";
import type { TLogEvent } from "../audit/events.ts";
import { insertLog } from "./logs.ts";
import {
  getLogById,
  LOG_CHECKPOINT_SETTLE_MS,
  LOG_SEARCH_WINDOW,
  listLogsFrom,
  listLogsPage,
  listUserLogsPage,
  toManagementLog,
} from "./management-logs.ts";

const MIN = 60_000;

// The Management API's log reads on both databases: a SIEM following checkpoints sees every record exactly once,
// searches match what Auth0's q means, and paging stops where Auth0's does.
describe.each(testDatabaseKinds())("management log queries (%s)", (kind) => {
  let deps: TTestDeps;
  beforeAll(async () => {
    deps = await createTestDeps(kind);
  });
  afterAll(async () => deps.cleanup());

  const clear = () => deps.db.run(`DELETE FROM "LogEvent"`);
  const write = (event: TLogEvent, at: Date) => insertLog(deps.db, event, at);
  const follow = async (from: string | undefined, settleMs?: number) => {
    const seen: string[] = [];
    let cursor = from;
    for (;;) {
      const page = await listLogsFrom(deps.db, { from: cursor, take: 100, settleMs });
      if (page.length === 0) return { seen, cursor };
      seen.push(...page.map((l) => l.log_id));
      cursor = page[page.length - 1]!.log_id;
    }
  };

  it("checkpoint pages, with records arriving between pages, hand out every record exactly once, oldest first", async () => {
    await clear();
    const base = Date.now() - 30 * MIN;
    const written: string[] = [];
    for (let i = 0; i < 250; i++)
      written.push(await write({ type: "s", user_id: `auth0|${i}` }, new Date(base + i)));
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let round = 0; round < 20; round++) {
      const page = await listLogsFrom(deps.db, { from: cursor, take: 100 });
      seen.push(...page.map((l) => l.log_id));
      if (page.length > 0) cursor = page[page.length - 1]!.log_id;
      // New records keep arriving while the SIEM pages (later in time than anything written before).
      if (round < 5)
        for (let j = 0; j < 30; j++)
          written.push(await write({ type: "fp" }, new Date(base + 1000 + round * 100 + j)));
    }
    expect(seen).toEqual([...written].sort());
    expect(new Set(seen).size).toBe(written.length);
  });

  it("does not hand out records younger than the settle horizon", async () => {
    await clear();
    const old = await write({ type: "s" }, new Date(Date.now() - LOG_CHECKPOINT_SETTLE_MS - MIN));
    await write({ type: "s" }, new Date(Date.now() - LOG_CHECKPOINT_SETTLE_MS + MIN));
    expect((await follow(undefined)).seen).toEqual([old]);
  });

  it("a record with an earlier time that commits after a read is still handed out (late commit)", async () => {
    // settleMs stands for the database clock: a shorter horizon on a later read is the same as time having passed.
    await clear();
    const now = Date.now();
    const a = await write({ type: "s" }, new Date(now - 10 * MIN));
    const c = await write({ type: "s" }, new Date(now - 3 * MIN));
    const first = await follow(undefined, 4 * MIN);
    expect(first.seen).toEqual([a]);
    // Another process's transaction took its time before C's and commits only now.
    const b = await write({ type: "f" }, new Date(now - 3 * MIN - 1));
    expect(b < c).toBe(true);
    const second = await follow(first.cursor, 2 * MIN);
    expect(second.seen).toEqual([b, c]);

    // Without a horizon the reader passes C before B exists, and B is lost for good: the failure this prevents.
    await clear();
    const a2 = await write({ type: "s" }, new Date(now - 10 * MIN));
    const c2 = await write({ type: "s" }, new Date(now - 3 * MIN));
    const naive = await follow(undefined, 0);
    expect(naive.seen).toEqual([a2, c2]);
    await write({ type: "f" }, new Date(now - 3 * MIN - 1));
    expect((await follow(naive.cursor, 0)).seen).toEqual([]);
  });

  it("q matches exactly, by trailing wildcard, by date and with NOT, case-sensitively and with % and _ literal", async () => {
    await clear();
    const t0 = Date.parse("2026-02-10T12:00:00Z");
    const ids = {
      f: await write({ type: "f", user_name: "Ann" }, new Date(t0)),
      fp: await write({ type: "fp", user_id: "auth0|a_b", user_name: "ann" }, new Date(t0 + 1)),
      fu: await write({ type: "fu", user_name: "50%off" }, new Date(Date.parse("2026-02-11T00:00:00Z"))),
      s: await write(
        { type: "s", user_id: "auth0|axb", user_name: "bob" },
        new Date(Date.parse("2026-02-12T09:00:00Z")),
      ),
    };
    const found = async (q: string) =>
      (
        await listLogsPage(deps.db, {
          query: parseLogQuery(q),
          page: 0,
          perPage: 100,
          sort: { field: "date", direction: 1 },
        })
      ).logs.map((l) => l.log_id);
    expect(await found("type:f*")).toEqual([ids.f, ids.fp, ids.fu]);
    expect(await found("type:f")).toEqual([ids.f]);
    expect(await found('user_id:"auth0|a_b"')).toEqual([ids.fp]);
    expect(await found("user_id:auth0|a_*")).toEqual([ids.fp]);
    expect(await found("user_name:50%*")).toEqual([ids.fu]);
    expect(await found("user_name:5_*")).toEqual([]);
    expect(await found("user_name:A*")).toEqual([ids.f]);
    expect(await found("ann")).toEqual([ids.fp]);
    expect(await found("date:2026-02-10")).toEqual([ids.f, ids.fp]);
    expect(await found("date:[2026-02-10 TO 2026-02-11]")).toEqual([ids.f, ids.fp, ids.fu]);
    expect(await found("date:{2026-02-10 TO *]")).toEqual([ids.fu, ids.s]);
    // Records without a user_id do not match user_id:x, so NOT keeps them.
    expect(await found('NOT user_id:"auth0|axb"')).toEqual([ids.f, ids.fp, ids.fu]);
    expect(await found("type:f* AND NOT user_name:ann OR type:s")).toEqual([ids.f, ids.fu, ids.s]);
    expect(await found(`user_name:"x' OR '1'='1"`)).toEqual([]);
    expect(await found(`log_id:${ids.s}`)).toEqual([ids.s]);
  });

  it("pages newest first by default, counts totals up to Auth0's 1,000-result window, and stops there", async () => {
    await clear();
    const base = Date.now() - 60 * MIN;
    await deps.db.transaction(async (tx) => {
      for (let i = 0; i < LOG_SEARCH_WINDOW + 20; i++)
        await insertLog(
          tx,
          { type: i % 2 ? "s" : "f", user_id: i % 10 === 0 ? "auth0|u" : undefined },
          new Date(base + i),
        );
    });
    const first = await listLogsPage(deps.db, { query: null, page: 0, perPage: 100, includeTotals: true });
    expect(first.total).toBe(LOG_SEARCH_WINDOW);
    expect(first.logs).toHaveLength(100);
    const dates = first.logs.map((l) => l.date!);
    expect(dates).toEqual([...dates].sort().reverse());
    const last = await listLogsPage(deps.db, { query: null, page: 9, perPage: 100 });
    expect(last.logs).toHaveLength(100);
    expect((await listLogsPage(deps.db, { query: null, page: 10, perPage: 100 })).logs).toEqual([]);
    expect((await listLogsPage(deps.db, { query: null, page: 0, perPage: 500 })).logs).toHaveLength(100);
    const fewer = await listLogsPage(deps.db, {
      query: parseLogQuery("type:f"),
      page: 0,
      perPage: 3,
      includeTotals: true,
    });
    expect(fewer.total).toBe(510);
    expect(fewer.logs).toHaveLength(3);

    const user = await listUserLogsPage(deps.db, "auth0|u", { page: 1, perPage: 50, includeTotals: true });
    expect(user.total).toBe(102);
    expect(user.logs).toHaveLength(50);
    expect(user.logs.every((l) => l.user_id === "auth0|u")).toBe(true);
    const oldest = await listUserLogsPage(deps.db, "auth0|u", {
      page: 0,
      perPage: 1,
      sort: { field: "date", direction: 1 },
    });
    expect(oldest.logs[0]!.date).toBe(new Date(base).toISOString());

    expect(() => checkLogPage(9, 100)).not.toThrow();
    for (const [page, perPage] of [
      [10, 100],
      [0, 101],
      [-1, 10],
      [1.5, 10],
      [0, -1],
    ] as const)
      expect(() => checkLogPage(page, perPage)).toThrow(LogPagingError);
    expect(() => checkLogCheckpoint("900001", 100)).not.toThrow();
    for (const [from, take] of [
      ["x", 0],
      ["x", 101],
      ["x' OR 1=1", 10],
      ["a".repeat(101), 10],
    ] as const)
      expect(() => checkLogCheckpoint(from, take)).toThrow(LogPagingError);
  });

  it("returns Auth0's field names, one record by id, and applies fields / include_fields", async () => {
    await clear();
    const id = await write(
      {
        type: "sepft",
        description: "ok",
        client_id: "c1",
        client_name: "App",
        ip: "10.0.0.1",
        user_agent: "Chrome 1 / Linux",
        user_id: "auth0|1",
        user_name: "a@example.com",
        connection: "DB",
        connection_id: "con_1",
        strategy: "auth0",
        hostname: "example.test",
        audience: "https://api",
        scope: "openid",
        details: { password: "hunter2", n: 1 },
      },
      new Date("2026-03-01T00:00:00.123Z"),
    );
    const log = await getLogById(deps.db, id);
    expect(log).toEqual({
      log_id: id,
      date: "2026-03-01T00:00:00.123Z",
      type: "sepft",
      description: "ok",
      client_id: "c1",
      client_name: "App",
      ip: "10.0.0.1",
      user_agent: "Chrome 1 / Linux",
      user_id: "auth0|1",
      user_name: "a@example.com",
      connection: "DB",
      connection_id: "con_1",
      strategy: "auth0",
      hostname: "example.test",
      audience: "https://api",
      scope: "openid",
      details: { password: "[redacted]", n: 1 },
      isMobile: false,
    });
    expect(await getLogById(deps.db, "900000000000000000nope")).toBeNull();
    const page = await listLogsPage(deps.db, {
      query: null,
      page: 0,
      perPage: 10,
      fields: ["log_id", "type", "nope"],
    });
    expect(page.logs).toEqual([{ log_id: id, type: "sepft" }]);
    const without = await listLogsPage(deps.db, {
      query: null,
      page: 0,
      perPage: 10,
      fields: ["details", "ip"],
      includeFields: false,
    });
    expect(Object.keys(without.logs[0]!)).not.toContain("details");
    expect(Object.keys(without.logs[0]!)).not.toContain("ip");
    expect(without.logs[0]!.log_id).toBe(id);
    expect(toManagementLog({ log_id: id, date: log!.date, type: "s" }, { fields: [] })).toEqual({
      log_id: id,
      date: log!.date,
      type: "s",
      details: {},
      isMobile: false,
    });
  });
});
