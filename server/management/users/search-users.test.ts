import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabaseKinds } from "../../testing/test-deps.ts";
import { useSeededDeps } from "../../testing/use-deps.ts";
import {
  managementToken,
  startManagementServer,
  type TManagementServer,
} from "../../testing/management-calls.ts";

type TUser = Record<string, unknown> & { user_id: string; email?: string };

describe.each(testDatabaseKinds())("GET /api/v2/users (%s)", (kind) => {
  const t = useSeededDeps(kind);
  let api: TManagementServer;
  let token: string;
  beforeAll(async () => {
    api = await startManagementServer(t.deps);
    token = await managementToken(t.deps, t.fx.clients.noPassword, ["read:users"]);
  });
  afterAll(async () => {
    await api.close();
  });
  const get = (query: string) => api.call("GET", `/api/v2/users?${query}`, { token });

  it("searches with Auth0's query syntax and answers users in Auth0's shape", async () => {
    const res = await get(
      `q=${encodeURIComponent('email:"alice@example.com" OR email:dana*')}&search_engine=v3&sort=email:1`,
    );
    expect(res.status).toBe(200);
    const users = res.body as TUser[];
    expect(users.map((u) => u.email)).toEqual(["alice@example.com", "dana@acme.test", "dana@acme.test"]);
    expect(users[0]).toMatchObject({
      user_id: t.fx.users.alice.userId,
      email_verified: true,
      name: "Alice Liddell",
      identities: [{ connection: t.fx.connections.database.name, provider: "auth0", isSocial: false }],
    });
    expect(JSON.stringify(users)).not.toMatch(/argon2|\$2b\$/);
    expect(Object.keys(users[0]!)).not.toEqual(expect.arrayContaining(["password", "password_hash"]));
  });

  it("filters by connection, pages with include_totals, and selects fields", async () => {
    const res = await get(
      `connection=${encodeURIComponent(t.fx.connections.employees.name)}&include_totals=true&fields=email,user_id`,
    );
    expect(res.body).toEqual({
      start: 0,
      limit: 50,
      length: 1,
      total: 1,
      users: [{ email: "dana@acme.test", user_id: t.fx.users.danaEmployee.userId }],
    });
    expect(await get("connection=Nope")).toMatchObject({ status: 200, body: [] });
    const page = (await get("per_page=2&page=1&sort=created_at:1")).body as TUser[];
    expect(page).toHaveLength(2);
  });

  it("refuses a bad query, sort, engine or a page past the first 1,000 results with Auth0's 400", async () => {
    const cases: [string, string][] = [
      ["q=nosuch:field", "invalid_query_string"],
      ["q=email:(", "invalid_query_string"],
      [`q=${"x".repeat(5000)}`, "invalid_query_string"],
      ["q=%00", "invalid_query_string"],
      ["sort=password:1", "invalid_query_string"],
      ["sort=email", "invalid_query_string"],
      ["search_engine=v2", "invalid_query_string"],
      ["per_page=101", "invalid_query_string"],
      ["page=-1", "invalid_query_string"],
      ["page=20&per_page=50", "invalid_paging"],
      ["include_totals=maybe", "invalid_query_string"],
    ];
    for (const [query, errorCode] of cases) {
      const res = await get(query);
      expect(res.status, query).toBe(400);
      expect(res.body, query).toMatchObject({ statusCode: 400, error: "Bad Request", errorCode });
    }
  });

  it("needs read:users", async () => {
    const other = await managementToken(t.deps, t.fx.clients.noPassword, ["read:logs"]);
    expect(await api.call("GET", "/api/v2/users", { token: other })).toMatchObject({
      status: 403,
      body: { message: "Insufficient scope, expected any of: read:users", errorCode: "insufficient_scope" },
    });
    token = await managementToken(t.deps, t.fx.clients.noPassword, ["read:users"]);
  });
});
