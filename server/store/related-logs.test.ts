import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { insertLog } from "./logs.ts";
import { findRelatedLogs } from "./related-logs.ts";

const T = Date.parse("2026-06-01T12:00:00.000Z");
const MIN = 60_000;
const WINDOW = 10 * MIN;

describe.each(testDatabaseKinds())("records related to one log record (%s)", (kind) => {
  let deps: TTestDeps;
  let centerId: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    deps = await createTestDeps(kind);
    const add = async (name: string, at: number, user: string, ip: string) => {
      ids[name] = await insertLog(
        deps.db,
        { type: "fp", user_id: `auth0|${user}`, user_name: `${user}@example.com`, ip },
        new Date(at),
      );
    };
    await add("center", T, "a", "198.51.100.1");
    await add("startEdge", T - WINDOW, "a", "198.51.100.1");
    await add("endEdge", T + WINDOW, "a", "198.51.100.1");
    await add("justBefore", T - WINDOW - 1, "a", "198.51.100.1");
    await add("justAfter", T + WINDOW + 1, "a", "198.51.100.1");
    await add("sameUserOtherIp", T - 5 * MIN, "a", "198.51.100.2");
    await add("otherUserSameIp", T + MIN, "b", "198.51.100.1");
    await add("otherUserOtherIp", T + 2 * MIN, "b", "198.51.100.2");
    // A record whose IP is the prefix of another must not match it.
    await add("prefixIp", T + 3 * MIN, "c", "198.51.100.10");
    centerId = ids.center!;
  });
  afterAll(async () => deps.cleanup());

  const names = (rows: { log_id: string }[]) =>
    rows.map((r) => Object.entries(ids).find(([, id]) => id === r.log_id)?.[0]);
  const around = new Date(T);

  it("same user: both ends of ± 10 minutes included, a millisecond outside excluded, other users excluded", async () => {
    const rows = await findRelatedLogs(deps.db, {
      by: "userId",
      value: "auth0|a",
      around,
      windowMs: WINDOW,
      excludeId: centerId,
      take: 50,
    });
    expect(names(rows)).toEqual(["endEdge", "sameUserOtherIp", "startEdge"]);
  });

  it("same IP: newest first, other IPs (even a longer one with the same prefix) excluded", async () => {
    const rows = await findRelatedLogs(deps.db, {
      by: "ip",
      value: "198.51.100.1",
      around,
      windowMs: WINDOW,
      excludeId: centerId,
      take: 50,
    });
    expect(names(rows)).toEqual(["endEdge", "otherUserSameIp", "startEdge"]);
  });

  it("matches by the name tried when the record has no user id, and stops at `take`", async () => {
    const rows = await findRelatedLogs(deps.db, {
      by: "userName",
      value: "a@example.com",
      around,
      windowMs: WINDOW,
      excludeId: centerId,
      take: 2,
    });
    expect(names(rows)).toEqual(["endEdge", "sameUserOtherIp"]);
  });

  it("leaves out only the record on screen, and finds nothing for an unknown value", async () => {
    const all = await findRelatedLogs(deps.db, {
      by: "ip",
      value: "198.51.100.1",
      around,
      windowMs: WINDOW,
      excludeId: "no-such-id",
      take: 50,
    });
    expect(names(all)).toContain("center");
    const none = await findRelatedLogs(deps.db, {
      by: "userId",
      value: "auth0|nobody",
      around,
      windowMs: WINDOW,
      excludeId: centerId,
      take: 50,
    });
    expect(none).toEqual([]);
  });
});
