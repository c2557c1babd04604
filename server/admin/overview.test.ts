import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { insertLog } from "../store/logs.ts";
import { getOverview } from "./views.ts";
import { adminOf } from "../testing/admin-actors.ts";

describe.each(testDatabaseKinds())("dashboard overview (%s)", (kind) => {
  let deps: TTestDeps;
  beforeAll(async () => {
    deps = await createTestDeps(kind);
    deps.clock.set(new Date("2026-06-02T12:30:00Z"));
    const at = (hoursAgo: number) => new Date(deps.clock.now().getTime() - hoursAgo * 3_600_000);
    for (let i = 0; i < 3; i++)
      await insertLog(deps.db, { type: "sepft", user_name: "ok@example.com", ip: "10.0.0.9" }, at(0));
    for (let i = 0; i < 4; i++)
      await insertLog(deps.db, { type: "fp", user_name: "victim@example.com", ip: "203.0.113.7" }, at(2));
    await insertLog(deps.db, { type: "fu", user_name: "ghost@example.com", ip: "203.0.113.8" }, at(2));
    await insertLog(deps.db, { type: "sapi", user_name: "owner@example.com" }, at(1));
    // Older than 24 hours: not counted.
    await insertLog(deps.db, { type: "fp", user_name: "old@example.com", ip: "198.51.100.1" }, at(30));
  });
  afterAll(async () => deps.cleanup());

  it("counts outcomes per hour for the last 24 hours and ranks failing IPs and users", async () => {
    const o = await getOverview(deps, adminOf("viewer"));
    expect({ succeeded: o.succeeded, failed: o.failed, blocked: o.blocked }).toEqual({
      succeeded: 3,
      failed: 5,
      blocked: 0,
    });
    expect(o.hours).toHaveLength(24);
    const last = o.hours[23]!;
    expect(new Date(last.hour).toISOString()).toBe("2026-06-02T12:00:00.000Z");
    expect(last.succeeded).toBe(3);
    expect(o.hours[21]!.failed).toBe(5);
    expect(o.topIps).toEqual([
      { value: "203.0.113.7", n: 4 },
      { value: "203.0.113.8", n: 1 },
    ]);
    expect(o.topUsers[0]).toEqual({ value: "victim@example.com", n: 4 });
    expect(o.topUsers.map((u) => u.value)).not.toContain("old@example.com");
  });
});
