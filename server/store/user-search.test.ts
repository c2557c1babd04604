import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { parseUserQuery } from "../management/users/parse-user-query.ts";
import { upsertConnectionByName } from "./connections.ts";
import { insertUser, type TUserWrite } from "./users.ts";
import { searchUsersByQuery, UserSearchPagingError, type TUserSearchOptions } from "./user-search.ts";

// The engine behind GET /api/v2/users: Auth0 query text in, the same users out on SQLite and PostgreSQL.
type TSeed = Omit<TUserWrite, "connectionId"> & { at: string; logins?: number; other?: boolean };
const SEED: TSeed[] = [
  {
    userId: "auth0|1",
    at: "2026-01-15T10:00:00Z",
    email: "jane.smith@example.com",
    emailVerified: true,
    name: "Jane Smith",
    givenName: "Jane",
    familyName: "Smith",
    nickname: "janey",
    username: "jane_s",
    logins: 12,
    appMetadata: { plan: "gold", score: 7.5, nested: { tier: "a" } },
    userMetadata: { city: "Paris" },
  },
  {
    userId: "auth0|2",
    at: "2026-06-30T23:00:00Z",
    email: "john.doe@example.com",
    name: "JOHN DOE",
    logins: 3,
    appMetadata: { plan: "silver", score: 3 },
  },
  {
    userId: "auth0|3",
    at: "2025-12-31T23:59:59.999Z",
    email: "100%_off@shop.test",
    name: "Percent Under",
    username: "pct",
    appMetadata: { plan: "Gold" },
  },
  {
    userId: "auth0|4",
    at: "2026-07-01T00:00:00Z",
    email: "back\\slash@x.test",
    name: `O'Brien"; DROP TABLE "User"; --`,
    username: "it's",
  },
  {
    userId: "auth0|5",
    at: "2026-03-01T00:00:00Z",
    email: null,
    phoneNumber: "+15551234",
    blocked: true,
    appMetadata: { plan: 5 },
    userMetadata: { flag: true },
    other: true,
  },
  {
    userId: "auth0|6",
    at: "2026-02-01T00:00:00Z",
    email: "elodie@example.fr",
    name: "Élodie Durand",
    appMetadata: { plan: "gold", n: "5" },
  },
];

describe.each(testDatabaseKinds())("user search by Auth0 query (%s)", (kind) => {
  let deps: TTestDeps;
  let mainId: string;
  let otherId: string;
  beforeAll(async () => {
    deps = await createTestDeps(kind);
    const now = deps.clock.now();
    mainId = (await upsertConnectionByName(deps.db, { name: "DB" }, { connectionId: "con_a" }, now)).id;
    otherId = (await upsertConnectionByName(deps.db, { name: "B" }, { connectionId: "con_b" }, now)).id;
    for (const { at, logins, other, ...u } of SEED) {
      await insertUser(deps.db, { ...u, connectionId: other ? otherId : mainId }, new Date(at));
      if (logins)
        await deps.db.run(`UPDATE "User" SET "loginsCount" = ? WHERE "userId" = ?`, [logins, u.userId]);
    }
  });
  afterAll(async () => deps.cleanup());

  const search = (q: string, o: Partial<TUserSearchOptions> = {}) =>
    searchUsersByQuery(deps.db, {
      query: parseUserQuery(q),
      page: 0,
      perPage: 50,
      includeTotals: true,
      ...o,
    });
  const found = async (q: string) => {
    const r = await search(q);
    expect(r.total).toBe(r.users.length);
    return r.users
      .map((u) => u.userId.slice(6))
      .sort()
      .join(",");
  };

  it.each([
    ['email:"JANE.SMITH@example.com"', "1"],
    ["email:JA*", "1"],
    ["email:j*", "1,2"],
    ["email:*@example.com", "1,2"],
    ["email.domain:EXAMPLE.com", "1,2"],
    ['name:"jane smith"', "1"],
    ['name:"John Doe"', "2"],
    ["name:jo*", "2"],
    ["name:*mith", "1"],
    ["name:j?hn*", "2"],
    ["given_name:JANE", "1"],
    ["nickname:Janey", "1"],
    ["family_name:smith", "1"],
    ["username:JANE_S", ""],
    ["username:jane_s", "1"],
    ["username:jane*", "1"],
    ["username:JANE*", ""],
    ["smith", "1"],
    ["janey", "1"],
    ["auth0|3", "3"],
    ["user_id:auth0|3", "3"],
    ["phone_number:\\+15551234", "5"],
    ["blocked:true", "5"],
    ["email_verified:true", "1"],
    ["identities.connection:B", "5"],
    ["identities.provider:auth0", "1,2,3,4,5,6"],
    ["identities.user_id:1", "1"],
    ["logins_count:[10 TO *]", "1"],
    ["logins_count:{0 TO 12}", "2"],
    ["logins_count:0", "3,4,5,6"],
    ["created_at:[2026-01-01 TO 2026-06-30]", "1,2,5,6"],
    ["created_at:{2026-01-15 TO *]", "2,4,5,6"],
    ["created_at:2026-06-30", "2"],
    ["created_at:[* TO 2026-01-01}", "3"],
    ["created_at:2026-01-15T10:00:00Z", "1"],
    ["app_metadata.plan:gold", "1,6"],
    ["app_metadata.plan:Gold", "3"],
    ["app_metadata.plan:5", "5"],
    ["app_metadata.n:5", "6"],
    ["app_metadata.plan:gol*", "1,6"],
    ["app_metadata.nested.tier:a", "1"],
    ["app_metadata.score:[5 TO *]", "1"],
    ["app_metadata.score:{3 TO 7.5]", "1"],
    ["app_metadata.score:[* TO 3]", "2"],
    ["app_metadata.score:[0 TO 999999999999999]", "1,2"],
    ["user_metadata.city:Paris", "1"],
    ["user_metadata.city:paris", ""],
    ["user_metadata.flag:true", "5"],
    ["_exists_:app_metadata.score", "1,2"],
    ["_exists_:email", "1,2,3,4,6"],
    ["NOT _exists_:email", "5"],
    ["-email:*", "5"],
    // A clause on a missing value is false, so NOT takes in the users without it (u5 has no name).
    ['NOT name:"jane smith"', "2,3,4,5,6"],
    ["app_metadata.plan:gold AND NOT email.domain:example.fr", "1"],
    ["(name:jo* OR nickname:janey) AND logins_count:[1 TO *]", "1,2"],
    ["email:jane* email:john*", "1,2"],
    ['name:(jane* OR "percent under")', "1,3"],
    // ASCII case folding on both databases, so they agree on non-ASCII names.
    ['name:"Élodie DURAND"', "6"],
    ['name:"élodie durand"', ""],
  ])("%s → users %s", async (q, expected) => {
    expect(await found(q)).toBe(expected);
  });

  it("matches hostile values literally: quotes, SQL, %, _, backslashes", async () => {
    expect(await found(`name:"O'Brien\\"; DROP TABLE \\"User\\"; --"`)).toBe("4");
    expect(await found("username:it's")).toBe("4");
    expect(await found("email:100%_off@shop.test")).toBe("3");
    expect(await found("email:100%*")).toBe("3");
    expect(await found("email:1_0*")).toBe("");
    expect(await found("email:%*")).toBe("");
    expect(await found("email:back\\\\slash@x.test")).toBe("4");
    expect(await found("email:back\\\\*")).toBe("4");
    expect(await found("username:p\\[c\\]t")).toBe("");
    expect(await found("username:p\\[*")).toBe("");
    expect(await found("username:p?t")).toBe("3");
    expect(await found("' OR '1'='1")).toBe("");
    expect(await found(`app_metadata.plan:"gold') OR 1=1 --"`)).toBe("");
    expect(await found("app_metadata.plan:gold'\\)\\ OR\\ 1=1\\ --")).toBe("");
    expect((await search("")).total).toBe(SEED.length);
  });

  it("runs the largest query the parser lets through on both databases", async () => {
    const bare = Array.from({ length: 49 }, (_, i) => `Abcdefgh${i}*`).join(" OR ");
    expect(await found(`${bare} OR smith`)).toBe("1");
    const deep = (n: number) => "NOT (".repeat(n) + "(((name:jane*)))" + ")".repeat(n);
    expect(await found(deep(2))).toBe("1");
    expect(await found(deep(3))).toBe("2,3,4,5,6");
    const metadata = Array.from({ length: 50 }, (_, i) => `app_metadata.a.b.c.d${i}:[${i} TO *]`);
    expect(await found(metadata.join(" OR "))).toBe("");
  });

  it("answers hostile queries with a parse error before any SQL", () => {
    for (const q of [
      "name:a\u0000",
      "name:\ud800",
      "x".repeat(10_000),
      "(".repeat(50) + "a" + ")".repeat(50),
      `app_metadata.a"b:x`,
      "app_metadata.a[0]:x",
      "app_metadata.$.x:1",
      "logins_count:[1e309 TO *]",
    ])
      expect(() => parseUserQuery(q), q.slice(0, 30)).toThrow(/query/);
  });

  it("lists newest first by default, ties by user_id, and pages without gaps", async () => {
    const all = (await search("")).users.map((u) => u.userId);
    expect(all).toEqual(["auth0|4", "auth0|2", "auth0|5", "auth0|6", "auth0|1", "auth0|3"]);
    const paged: string[] = [];
    for (let page = 0; page < 4; page++)
      paged.push(
        ...(await search("", { page, perPage: 2, includeTotals: false })).users.map((u) => u.userId),
      );
    expect(paged).toEqual(all);
    const r = await search("", { page: 1, perPage: 4 });
    expect(r.users).toHaveLength(2);
    expect(r.total).toBe(6);
    expect((await search("", { includeTotals: false })).total).toBeUndefined();
  });

  it("sorts by a field either way, users without the value last", async () => {
    const by = async (field: "name" | "logins_count" | "email", direction: 1 | -1) =>
      (await search("", { sort: { field, direction } })).users.map((u) => u.userId.slice(6)).join(",");
    expect(await by("name", 1)).toBe("2,1,4,3,6,5");
    expect(await by("name", -1)).toBe("6,3,4,1,2,5");
    expect(await by("logins_count", -1)).toBe("1,2,6,5,4,3");
    expect(await by("email", 1)).toBe("3,4,6,1,2,5");
  });

  it("keeps to one connection when asked, and returns the connection name", async () => {
    const r = await search("", { connectionId: otherId });
    expect(r.users.map((u) => [u.userId, u.connectionName])).toEqual([["auth0|5", "B"]]);
    expect(r.total).toBe(1);
    const main = await search("blocked:false", { connectionId: mainId });
    expect(main.total).toBe(5);
    expect(main.users[0]!.appMetadata).toEqual({});
    const jane = (await search("user_id:auth0|1")).users[0]!;
    expect(jane.appMetadata).toEqual({ plan: "gold", score: 7.5, nested: { tier: "a" } });
    expect(jane.loginsCount).toBe(12);
    expect(jane.connectionName).toBe("DB");
  });

  it("keeps Auth0's paging limits: per_page up to 100, only the first 1000 results", async () => {
    await expect(search("", { perPage: 101 })).rejects.toBeInstanceOf(UserSearchPagingError);
    await expect(search("", { page: 10, perPage: 100 })).rejects.toMatchObject({
      statusCode: 400,
      errorCode: "invalid_paging",
      message: expect.stringMatching(/first 1000 records/),
    });
    await expect(search("", { page: -1 })).rejects.toBeInstanceOf(UserSearchPagingError);
    await expect(search("", { page: 1.5 })).rejects.toBeInstanceOf(UserSearchPagingError);
    await expect(search("", { page: Number.MAX_SAFE_INTEGER, perPage: 100 })).rejects.toBeInstanceOf(
      UserSearchPagingError,
    );
    expect((await search("", { page: 9, perPage: 100 })).users).toEqual([]);
    // A last page that straddles the limit is cut at the 1000th result rather than refused.
    expect((await search("", { page: 33, perPage: 30 })).users).toEqual([]);
    expect((await search("", { perPage: 0 })).users).toEqual([]);
  });
});

describe.each(testDatabaseKinds())("user search over stored metadata that is not JSON (%s)", (kind) => {
  let deps: TTestDeps;
  beforeAll(async () => {
    deps = await createTestDeps(kind);
    const now = deps.clock.now();
    const connectionId = (
      await upsertConnectionByName(deps.db, { name: "DB" }, { connectionId: "con_a" }, now)
    ).id;
    const users: [string, Record<string, unknown>, Record<string, unknown>][] = [
      ["auth0|ok", { plan: "gold", score: 5 }, { city: "Paris" }],
      ["auth0|bad", {}, {}],
      // Written by the ordinary writer: JSON.stringify escapes NUL as \u0000, valid JSON that jsonb cannot hold.
      ["auth0|nul", { plan: "gold", score: 5, note: "a\u0000b" }, { city: "Paris" }],
      ["auth0|other", { plan: "silver", score: 50 }, {}],
    ];
    for (const [i, [userId, appMetadata, userMetadata]] of users.entries())
      await insertUser(
        deps.db,
        { userId, connectionId, email: `${userId.slice(6)}@example.com`, appMetadata, userMetadata },
        new Date(Date.UTC(2026, 0, 1 + i)),
      );
    // Hand-edited rows: the only way to store text that is not JSON (every writer uses JSON.stringify).
    await deps.db.run(`UPDATE "User" SET "appMetadata" = ?, "userMetadata" = ? WHERE "userId" = ?`, [
      '{"plan":"gold","score":5',
      "not json",
      "auth0|bad",
    ]);
  });
  afterAll(async () => deps.cleanup());

  const found = async (q: string) => {
    const r = await searchUsersByQuery(deps.db, {
      query: parseUserQuery(q),
      page: 0,
      perPage: 50,
      includeTotals: true,
    });
    expect(r.total).toBe(r.users.length);
    return r.users
      .map((u) => u.userId.slice(6))
      .sort()
      .join(",");
  };
  // SQLite reads the \u0000 escape; PostgreSQL's jsonb cannot, so there that document matches no metadata clause
  // either (docs/management-api.md says so).
  const nul = kind === "sqlite" ? ["nul"] : [];

  it.each([
    ["app_metadata.plan:gold", ["ok", ...nul]],
    ["app_metadata.score:5", ["ok", ...nul]],
    ["app_metadata.score:[1 TO 10]", ["ok", ...nul]],
    ["app_metadata.score:[* TO 100]", ["ok", "other", ...nul]],
    ["_exists_:app_metadata.plan", ["ok", "other", ...nul]],
    ["app_metadata.plan:go*", ["ok", ...nul]],
    ["user_metadata.city:Paris", ["ok", "nul"]],
    ["NOT app_metadata.plan:gold", kind === "sqlite" ? ["bad", "other"] : ["bad", "nul", "other"]],
    ["app_metadata.plan:gold OR email:bad@example.com", ["bad", "ok", ...nul]],
    ["app_metadata.plan:gold AND user_metadata.city:Paris", ["ok", ...nul]],
  ])("%s → %j, the unreadable documents matching no metadata clause", async (q, expected) => {
    expect(await found(q)).toBe([...expected].sort().join(","));
  });

  it("still lists the users whose metadata is not JSON, with empty metadata", async () => {
    const r = await searchUsersByQuery(deps.db, {
      query: parseUserQuery("email:bad@example.com"),
      page: 0,
      perPage: 50,
      includeTotals: true,
    });
    expect(r.total).toBe(1);
    expect(r.users[0]).toMatchObject({ userId: "auth0|bad", appMetadata: {}, userMetadata: {} });
  });
});
