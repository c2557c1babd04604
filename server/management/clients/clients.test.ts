import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabaseKinds } from "../../testing/test-deps.ts";
import { useSeededDeps } from "../../testing/use-deps.ts";
import {
  managementToken,
  startManagementServer,
  type TManagementServer,
} from "../../testing/management-calls.ts";

describe.each(testDatabaseKinds())("/api/v2/clients (%s)", (kind) => {
  const t = useSeededDeps(kind);
  let api: TManagementServer;
  let token: string;
  beforeAll(async () => {
    api = await startManagementServer(t.deps);
    // read:client_keys too: even with it, no secret is ever answered.
    token = await managementToken(t.deps, t.fx.clients.noPassword, ["read:clients", "read:client_keys"]);
  });
  afterAll(async () => {
    await api.close();
  });

  it("lists every client in Auth0's client object, sorted by name, without any secret", async () => {
    const list = await api.call("GET", "/api/v2/clients", { token });
    expect(list.status).toBe(200);
    const clients = list.body as Record<string, unknown>[];
    expect(clients).toHaveLength(7);
    expect(clients.map((c) => c.name)).toEqual([...clients.map((c) => String(c.name))].sort());
    const web = clients.find((c) => c.client_id === t.fx.clients.web.clientId);
    expect(web).toEqual({
      client_id: t.fx.clients.web.clientId,
      name: "Acme Web",
      description: "",
      app_type: "regular_web",
      is_first_party: true,
      global: false,
      oidc_conformant: true,
      token_endpoint_auth_method: "client_secret_post",
      grant_types: expect.arrayContaining(["password", "refresh_token", "authorization_code"]),
      jwt_configuration: { alg: "RS256", lifetime_in_seconds: expect.any(Number), secret_encoded: false },
      is_token_endpoint_ip_header_trusted: true,
      client_metadata: {},
      refresh_token: {
        rotation_type: "rotating",
        expiration_type: "expiring",
        leeway: expect.any(Number),
        token_lifetime: expect.any(Number),
        idle_token_lifetime: expect.any(Number),
        infinite_token_lifetime: false,
        infinite_idle_token_lifetime: false,
      },
    });
    expect(clients.find((c) => c.client_id === t.fx.clients.hs256.clientId)).toMatchObject({
      jwt_configuration: { alg: "HS256", lifetime_in_seconds: 600 },
    });
    expect(clients.find((c) => c.client_id === t.fx.clients.spa.clientId)).toMatchObject({
      app_type: "native",
      token_endpoint_auth_method: "none",
    });
    const text = JSON.stringify(list.body);
    for (const secret of t.fx.secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/client_secret"|secret_hash|clientSecret/);
  });

  it("filters by app_type and is_first_party, pages, selects fields, and gets one client", async () => {
    const names = async (q: string) =>
      ((await api.call("GET", `/api/v2/clients?${q}`, { token })).body as { name: string }[]).map(
        (c) => c.name,
      );
    expect(await names("app_type=native")).toEqual(["Acme Mobile"]);
    expect((await names("app_type=native,regular_web")).length).toBe(7);
    expect(await names("is_first_party=false")).toEqual(["Partner Portal (third party)"]);
    expect((await names("is_first_party=true")).length).toBe(6);
    const paged = await api.call("GET", "/api/v2/clients?per_page=2&page=3&include_totals=true&fields=name", {
      token,
    });
    expect(paged.body).toEqual({ clients: [{ name: expect.any(String) }], start: 6, limit: 2, total: 7 });
    const excluded = await api.call(
      "GET",
      "/api/v2/clients?fields=refresh_token,jwt_configuration&include_fields=false",
      {
        token,
      },
    );
    expect((excluded.body as object[]).every((c) => !("refresh_token" in c) && "name" in c)).toBe(true);

    const one = await api.call(
      "GET",
      `/api/v2/clients/${t.fx.clients.hs256.clientId}?fields=client_id,name`,
      {
        token,
      },
    );
    expect(one).toMatchObject({
      status: 200,
      body: { client_id: t.fx.clients.hs256.clientId, name: "Legacy Intranet (HS256)" },
    });
    expect(Object.keys(one.body as object)).toHaveLength(2);
    const full = await api.call("GET", `/api/v2/clients/${t.fx.clients.hs256.clientId}`, { token });
    for (const secret of t.fx.secrets) expect(JSON.stringify(full.body)).not.toContain(secret);
    // Asking for the secret by name selects nothing.
    const asked = await api.call(
      "GET",
      `/api/v2/clients/${t.fx.clients.hs256.clientId}?fields=client_secret`,
      {
        token,
      },
    );
    expect(asked).toMatchObject({ status: 200, body: {} });
  });

  it("answers 404 inexistent_client, 400 for bad filters, 403 without read:clients", async () => {
    expect(await api.call("GET", "/api/v2/clients/nobody", { token })).toMatchObject({
      status: 404,
      body: {
        statusCode: 404,
        error: "Not Found",
        message: "The client does not exist.",
        errorCode: "inexistent_client",
      },
    });
    for (const q of ["app_type=desktop", "is_first_party=1", "per_page=0", "include_fields=no"]) {
      expect(await api.call("GET", `/api/v2/clients?${q}`, { token }), q).toMatchObject({
        status: 400,
        body: { statusCode: 400, error: "Bad Request", errorCode: "invalid_query_string" },
      });
    }
    const keysOnly = await managementToken(t.deps, t.fx.clients.noPassword, [
      "read:client_keys",
      "read:connections",
    ]);
    expect(await api.call("GET", "/api/v2/clients", { token: keysOnly })).toMatchObject({
      status: 403,
      body: { message: "Insufficient scope, expected any of: read:clients", errorCode: "insufficient_scope" },
    });
    expect(
      (await api.call("GET", `/api/v2/clients/${t.fx.clients.web.clientId}`, { token: keysOnly })).status,
    ).toBe(403);
    token = await managementToken(t.deps, t.fx.clients.noPassword, ["read:clients", "read:client_keys"]);
  });
});
