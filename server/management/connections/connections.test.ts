import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabaseKinds } from "../../testing/test-deps.ts";
import { useSeededDeps } from "../../testing/use-deps.ts";
import {
  managementToken,
  startManagementServer,
  type TManagementServer,
} from "../../testing/management-calls.ts";
import { upsertConnectionByName } from "../../store/connections.ts";

const DB_SECRET = "custom-db-secret-4be1c9";

describe.each(testDatabaseKinds())("/api/v2/connections (%s)", (kind) => {
  const t = useSeededDeps(kind);
  let api: TManagementServer;
  let token: string;
  beforeAll(async () => {
    api = await startManagementServer(t.deps);
    token = await managementToken(t.deps, t.fx.clients.noPassword, ["read:connections"]);
    // Options as an Auth0 import may leave them: a password policy, plain flags, and custom-database secrets.
    await upsertConnectionByName(
      t.deps.db,
      {
        name: "Partners",
        options: {
          passwordPolicy: "good",
          password_history: { enable: true, size: 5 },
          brute_force_protection: true,
          requires_username: false,
          configuration: { API_SECRET: DB_SECRET },
          customScripts: { login: `function login(e, p, cb) { const key = "${DB_SECRET}"; }` },
        },
      },
      { connectionId: t.fx.connections.partners.connectionId },
      t.deps.clock.now(),
    );
  });
  afterAll(async () => {
    await api.close();
  });

  it("lists connections in Auth0's shape, enabled_clients as client_ids, options without anything secret", async () => {
    const list = await api.call("GET", "/api/v2/connections", { token });
    expect(list.status).toBe(200);
    const connections = list.body as Record<string, unknown>[];
    expect(connections.map((c) => c.name)).toEqual([
      "Customers",
      "Employees",
      "Partners",
      "Username-Password-Authentication",
    ]);
    expect(connections.find((c) => c.name === "Partners")).toEqual({
      id: t.fx.connections.partners.connectionId,
      name: "Partners",
      display_name: "Partners",
      strategy: "auth0",
      options: {
        passwordPolicy: "good",
        password_history: { enable: true, size: 5 },
        brute_force_protection: true,
        requires_username: false,
      },
      enabled_clients: [t.fx.clients.basic.clientId],
      realms: ["Partners"],
      is_domain_connection: false,
      metadata: {},
    });
    const customers = connections.find((c) => c.name === "Customers")!;
    expect((customers.enabled_clients as string[]).sort()).toEqual(
      [t.fx.clients.web.clientId, t.fx.clients.basic.clientId, t.fx.clients.spa.clientId].sort(),
    );
    expect(customers.options).toEqual({});
    expect(JSON.stringify(list.body)).not.toContain(DB_SECRET);
  });

  it("filters by name and strategy, pages, selects fields, and gets one by id", async () => {
    const names = async (q: string) =>
      ((await api.call("GET", `/api/v2/connections?${q}`, { token })).body as { name: string }[]).map(
        (c) => c.name,
      );
    expect(await names("name=Employees")).toEqual(["Employees"]);
    expect(await names("name=employees")).toEqual([]);
    expect((await names("strategy=auth0")).length).toBe(4);
    expect((await names("strategy=google-oauth2&strategy=auth0")).length).toBe(4);
    expect(await names("strategy=google-oauth2")).toEqual([]);
    const paged = await api.call(
      "GET",
      "/api/v2/connections?per_page=3&page=1&include_totals=true&fields=name,id",
      {
        token,
      },
    );
    expect(paged.body).toEqual({
      connections: [{ id: t.fx.connections.database.connectionId, name: "Username-Password-Authentication" }],
      start: 3,
      limit: 3,
      total: 4,
    });
    const one = await api.call("GET", `/api/v2/connections/${t.fx.connections.partners.connectionId}`, {
      token,
    });
    expect(one).toMatchObject({ status: 200, body: { name: "Partners", strategy: "auth0" } });
    expect(JSON.stringify(one.body)).not.toContain(DB_SECRET);
    const picked = await api.call(
      "GET",
      `/api/v2/connections/${t.fx.connections.partners.connectionId}?fields=options&include_fields=false`,
      { token },
    );
    expect(picked.body).not.toHaveProperty("options");
    expect(picked.body).toHaveProperty("enabled_clients");
  });

  it("answers 404 inexistent_connection, 400 for bad paging, 403 without read:connections", async () => {
    // By name is not by id.
    expect(await api.call("GET", "/api/v2/connections/Partners", { token })).toMatchObject({
      status: 404,
      body: {
        statusCode: 404,
        error: "Not Found",
        message: "The connection does not exist.",
        errorCode: "inexistent_connection",
      },
    });
    expect(await api.call("GET", "/api/v2/connections?page=abc", { token })).toMatchObject({
      status: 400,
      body: { errorCode: "invalid_query_string" },
    });
    const other = await managementToken(t.deps, t.fx.clients.noPassword, ["read:clients"]);
    expect(await api.call("GET", "/api/v2/connections", { token: other })).toMatchObject({
      status: 403,
      body: {
        message: "Insufficient scope, expected any of: read:connections",
        errorCode: "insufficient_scope",
      },
    });
    token = await managementToken(t.deps, t.fx.clients.noPassword, ["read:connections"]);
  });
});
