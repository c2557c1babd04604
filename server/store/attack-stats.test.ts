import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { insertLog } from "./logs.ts";
import {
  countPerBucket,
  countPerIp,
  countWithLatest,
  listFailureBlocks,
  topUserNames,
  userIdsOfLogs,
} from "./attack-stats.ts";

const T0 = Date.parse("2026-06-01T00:00:00Z");
const HOUR = 3_600_000;
const at = (ms: number) => new Date(T0 + ms);
const hours = (from: number, to: number) => ({ from: at(from * HOUR), to: at(to * HOUR) });

describe.each(testDatabaseKinds())("attack statistics store (%s)", (kind) => {
  let deps: TTestDeps;
  /** Ids of records the tests name. */
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    deps = await createTestDeps(kind);
    // Hour 0: 3 fp (a@ ×2, b@), 1 limit_wc; hour 1: 2 fu (b@ from two addresses of one /64), 1 sepft; hour 2: a leak.
    await insertLog(deps.db, { type: "fp", user_name: "a@example.com", ip: "192.0.2.1" }, at(1000));
    ids.a2 = await insertLog(
      deps.db,
      { type: "fp", user_name: "a@example.com", user_id: "auth0|a", ip: "192.0.2.1" },
      at(2000),
    );
    await insertLog(deps.db, { type: "fp", user_name: "b@example.com", ip: "192.0.2.2" }, at(3000));
    await insertLog(deps.db, { type: "limit_wc", user_name: "a@example.com", ip: "192.0.2.1" }, at(4000));
    ids.b1 = await insertLog(
      deps.db,
      { type: "fu", user_name: "b@example.com", ip: "2001:db8::1" },
      at(HOUR + 1),
    );
    ids.b2 = await insertLog(
      deps.db,
      { type: "fu", user_name: "b@example.com", ip: "2001:db8::2" },
      at(HOUR + 2),
    );
    await insertLog(deps.db, { type: "sepft", user_name: "c@example.com", ip: "192.0.2.3" }, at(HOUR + 3));
    await insertLog(
      deps.db,
      { type: "pwd_leak", user_name: "c@example.com", ip: "192.0.2.3" },
      at(2 * HOUR + 5),
    );
    await deps.db.run(
      `INSERT INTO "LoginFailure" ("key","connectionId","identifier","ip","count","firstFailureAt","lastFailureAt","blockedAt") VALUES (?,?,?,?,?,?,?,?), (?,?,?,?,?,?,?,?)`,
      [
        ...[
          "con|a@example.com|192.0.2.1",
          "con",
          "a@example.com",
          "192.0.2.1",
          10,
          at(0),
          at(HOUR),
          at(HOUR),
        ],
        ...["con|b@example.com|192.0.2.2", "con", "b@example.com", "192.0.2.2", 2, at(0), at(HOUR), null],
      ],
    );
  });
  afterAll(async () => deps.cleanup());

  it("counts each group of types per bucket, the range being half open", async () => {
    const counts = await countPerBucket(deps.db, { failed: ["fp", "fu"], blocked: ["limit_wc"] }, [
      hours(0, 1),
      hours(1, 2),
      hours(2, 3),
    ]);
    expect(counts).toEqual([
      { failed: 3, blocked: 1 },
      { failed: 2, blocked: 0 },
      { failed: 0, blocked: 0 },
    ]);
    expect(await countPerBucket(deps.db, { failed: ["fp"] }, [{ from: at(1000), to: at(2000) }])).toEqual([
      { failed: 1 },
    ]);
  });

  it("ranks user names and IP addresses by records of the types in the range", async () => {
    expect(await topUserNames(deps.db, ["fp", "fu"], hours(0, 2), 5)).toEqual([
      { value: "b@example.com", n: 3, last: at(HOUR + 2), lastId: ids.b2 },
      { value: "a@example.com", n: 2, last: at(2000), lastId: ids.a2 },
    ]);
    expect((await topUserNames(deps.db, ["fp", "fu"], hours(0, 2), 1)).map((r) => r.value)).toEqual([
      "b@example.com",
    ]);
    const ips = await countPerIp(deps.db, ["fp", "fu"], hours(0, 2), 1);
    expect(ips.ipv4).toEqual([{ value: "192.0.2.1", n: 2, last: at(2000), lastId: ids.a2 }]);
    expect(ips.ipv6.sort((x, y) => x.value.localeCompare(y.value))).toEqual([
      { value: "2001:db8::1", n: 1, last: at(HOUR + 1), lastId: ids.b1 },
      { value: "2001:db8::2", n: 1, last: at(HOUR + 2), lastId: ids.b2 },
    ]);
  });

  it("reads the user ids of records by log id (records without one, or unknown ids, are left out)", async () => {
    expect(await userIdsOfLogs(deps.db, [ids.a2!, ids.b2!, "90000000000000000missing"])).toEqual(
      new Map([[ids.a2, "auth0|a"]]),
    );
    expect(await userIdsOfLogs(deps.db, [])).toEqual(new Map());
  });

  it("counts breached hits with the latest record", async () => {
    const r = await countWithLatest(deps.db, ["pwd_leak", "signup_pwd_leak"], hours(0, 3));
    expect(r.n).toBe(1);
    expect(r.latest).toMatchObject({
      type: "pwd_leak",
      user_name: "c@example.com",
      date: at(2 * HOUR + 5).toISOString(),
    });
    expect(await countWithLatest(deps.db, ["pwd_leak"], hours(0, 2))).toEqual({ n: 0, latest: null });
  });

  it("finds the blocking counters of identifiers or IP keys", async () => {
    const since = at(0);
    expect(
      (await listFailureBlocks(deps.db, { minCount: 3, since, ips: ["192.0.2.1"] })).map((b) => b.identifier),
    ).toEqual(["a@example.com"]);
    expect(await listFailureBlocks(deps.db, { minCount: 3, since, identifiers: ["b@example.com"] })).toEqual(
      [],
    );
    expect(
      await listFailureBlocks(deps.db, { minCount: 2, since, identifiers: ["b@example.com"] }),
    ).toMatchObject([{ identifier: "b@example.com", ip: "192.0.2.2", count: 2, blockedAt: null }]);
    expect(
      await listFailureBlocks(deps.db, { minCount: 3, since: at(2 * HOUR), ips: ["192.0.2.1"] }),
    ).toEqual([]);
    expect(await listFailureBlocks(deps.db, { minCount: 1, since })).toEqual([]);
  });
});
