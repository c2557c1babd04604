import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { insertLog, searchLogs } from "./logs.ts";

const T0 = Date.parse("2026-06-01T00:00:00Z");
const HOUR = 3_600_000;

describe.each(testDatabaseKinds())("audit log search (%s)", (kind) => {
  let deps: TTestDeps;
  beforeAll(async () => {
    deps = await createTestDeps(kind);
    // 48 records, one per hour: alternating types, three users, two IPs.
    for (let i = 0; i < 48; i++) {
      await insertLog(
        deps.db,
        {
          type: i % 2 ? "fp" : "sepft",
          user_id: `auth0|u${i % 3}`,
          user_name: `u${i % 3}@example.com`,
          ip: i % 4 === 0 ? "10.0.0.1" : "10.0.0.2",
          client_id: "c1",
          connection: "DB",
        },
        new Date(T0 + i * HOUR),
      );
    }
  });
  afterAll(async () => deps.cleanup());

  it("pages newest first through a filter without gaps or repeats", async () => {
    const seen: string[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await searchLogs(deps.db, { type: "fp" }, { take: 5, before });
      seen.push(...page.map((r) => r.date));
      if (page.length < 5) break;
      before = page[page.length - 1]!.log_id;
    }
    expect(seen).toHaveLength(24);
    expect(new Set(seen).size).toBe(24);
    expect([...seen].sort().reverse()).toEqual(seen);
  });

  it("filters by user id, user name, IP, client and connection", async () => {
    expect(await searchLogs(deps.db, { user: "auth0|u1" }, { take: 100 })).toHaveLength(16);
    expect(await searchLogs(deps.db, { user: "u2@example.com" }, { take: 100 })).toHaveLength(16);
    expect(await searchLogs(deps.db, { ip: "10.0.0.1" }, { take: 100 })).toHaveLength(12);
    expect(
      await searchLogs(deps.db, { clientId: "c1", connection: "DB", type: "sepft" }, { take: 100 }),
    ).toHaveLength(24);
    expect(await searchLogs(deps.db, { connection: "Other" }, { take: 100 })).toHaveLength(0);
  });

  it("date ranges include both ends and combine with the page cursor", async () => {
    const from = new Date(T0 + 10 * HOUR);
    const to = new Date(T0 + 19 * HOUR);
    const rows = await searchLogs(deps.db, { from, to }, { take: 100 });
    expect(rows.map((r) => r.date)).toEqual(
      Array.from({ length: 10 }, (_, k) => new Date(T0 + (19 - k) * HOUR).toISOString()),
    );
    const next = await searchLogs(deps.db, { from, to }, { take: 100, before: rows[4]!.log_id });
    expect(next.map((r) => r.date)).toEqual(rows.slice(5).map((r) => r.date));
  });
});
