import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { upsertConnectionByName } from "./connections.ts";
import { insertUsers, searchUsers } from "./users.ts";

// The Users screen's search: what an admin types is matched literally and without regard to case, the same on
// SQLite and PostgreSQL (Prisma's `contains` treated `%` and `_` as wildcards and differed in case by database).
describe.each(testDatabaseKinds())("user search (%s)", (kind) => {
  let deps: TTestDeps;
  let connectionId: string;
  beforeAll(async () => {
    deps = await createTestDeps(kind);
    const now = deps.clock.now();
    connectionId = (await upsertConnectionByName(deps.db, { name: "DB" }, { connectionId: "con_s" }, now)).id;
    await insertUsers(
      deps.db,
      [
        { userId: "auth0|1", connectionId, email: "a_b@example.com", username: "under_score" },
        { userId: "auth0|2", connectionId, email: "axb@example.com", username: "MixedCase" },
        { userId: "auth0|3", connectionId, email: "pct@example.com", username: "fifty%off" },
        { userId: "auth0|4", connectionId, email: "back@example.com", username: "back\\slash" },
      ],
      now,
    );
  });
  afterAll(async () => deps.cleanup());

  const found = async (text: string) =>
    (await searchUsers(deps.db, { text, take: 50 })).map((u) => u.userId).sort();

  it("matches `%`, `_` and `\\` literally, not as wildcards", async () => {
    expect(await found("a_b")).toEqual(["auth0|1"]);
    expect(await found("_")).toEqual(["auth0|1"]);
    expect(await found("%")).toEqual(["auth0|3"]);
    expect(await found("50%")).toEqual([]);
    expect(await found("back\\s")).toEqual(["auth0|4"]);
  });

  it("ignores case in emails and usernames on every database", async () => {
    expect(await found("mixedcase")).toEqual(["auth0|2"]);
    expect(await found("MIXED")).toEqual(["auth0|2"]);
    expect(await found("A_B@EXAMPLE")).toEqual(["auth0|1"]);
    expect(await found("auth0|3")).toEqual(["auth0|3"]);
  });
});
