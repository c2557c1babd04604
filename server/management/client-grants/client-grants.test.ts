import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabaseKinds } from "../../testing/test-deps.ts";
import { useSeededDeps } from "../../testing/use-deps.ts";
import {
  managementToken,
  startManagementServer,
  type TManagementServer,
} from "../../testing/management-calls.ts";
import { listLogs } from "../../store/logs.ts";
import { managementAudience } from "../management-api.ts";
import { findClientGrantById } from "../../store/client-grants.ts";

const SCOPES = ["read:client_grants", "create:client_grants", "update:client_grants", "delete:client_grants"];

describe.each(testDatabaseKinds())("/api/v2/client-grants (%s)", (kind) => {
  const t = useSeededDeps(kind);
  let api: TManagementServer;
  let token: string;
  beforeAll(async () => {
    api = await startManagementServer(t.deps);
    token = await managementToken(t.deps, t.fx.clients.noPassword, SCOPES);
  });
  afterAll(async () => {
    await api.close();
  });

  const change = async (action: string, target: unknown) =>
    (await listLogs(t.deps.db, { type: "sapi", take: 1000 })).find(
      (r) => r.details?.action === action && r.details.target === target,
    );

  it("creates (201), lists with filters, narrows and deletes (204) a grant in Auth0's shape, audited as the client", async () => {
    const made = await api.call("POST", "/api/v2/client-grants", {
      token,
      body: {
        client_id: t.fx.clients.web.clientId,
        audience: t.fx.apis.orders.identifier,
        scope: ["read:orders", "write:orders"],
        // What node-auth0 and Terraform send for a plain grant: accepted and dropped.
        organization_usage: "deny",
        allow_any_organization: false,
      },
    });
    expect(made.status).toBe(201);
    expect(made.body).toEqual({
      id: expect.stringMatching(/^cgr_[A-Za-z0-9]{16}$/),
      client_id: t.fx.clients.web.clientId,
      audience: t.fx.apis.orders.identifier,
      scope: ["read:orders", "write:orders"],
    });
    const id = (made.body as { id: string }).id;
    expect(await change("create client grant", id)).toMatchObject({
      type: "sapi",
      client_id: t.fx.clients.noPassword.clientId,
      details: {
        actor: { kind: "client", client_id: t.fx.clients.noPassword.clientId },
        after: { client_id: t.fx.clients.web.clientId, audience: t.fx.apis.orders.identifier },
      },
    });

    const all = await api.call("GET", "/api/v2/client-grants", { token });
    expect(all.status).toBe(200);
    const audiences = (all.body as { audience: string }[]).map((g) => g.audience);
    expect(audiences).toEqual(
      expect.arrayContaining([t.fx.apis.orders.identifier, managementAudience(t.deps.env.PUBLIC_URL)]),
    );
    const byAudience = await api.call(
      "GET",
      `/api/v2/client-grants?audience=${encodeURIComponent(t.fx.apis.orders.identifier)}`,
      { token },
    );
    expect(byAudience.body).toEqual([made.body]);
    const byClient = await api.call("GET", `/api/v2/client-grants?client_id=${t.fx.clients.web.clientId}`, {
      token,
    });
    expect(byClient.body).toEqual([made.body]);
    expect((await api.call("GET", "/api/v2/client-grants?client_id=nobody", { token })).body).toEqual([]);
    const paged = await api.call("GET", "/api/v2/client-grants?per_page=1&include_totals=true", { token });
    expect(paged.body).toMatchObject({ start: 0, limit: 1, total: 2 });
    expect((paged.body as { client_grants: unknown[] }).client_grants).toHaveLength(1);

    const narrowed = await api.call("PATCH", `/api/v2/client-grants/${id}`, {
      token,
      body: { scope: ["read:orders"] },
    });
    expect(narrowed).toMatchObject({
      status: 200,
      body: { ...(made.body as object), scope: ["read:orders"] },
    });
    expect(await change("update client grant", id)).toMatchObject({
      details: {
        actor: { kind: "client" },
        before: { scope: ["read:orders", "write:orders"] },
        after: { scope: ["read:orders"] },
      },
    });

    const gone = await api.call("DELETE", `/api/v2/client-grants/${id}`, { token });
    expect(gone.status).toBe(204);
    expect(await change("delete client grant", id)).toMatchObject({
      client_id: t.fx.clients.noPassword.clientId,
      details: { actor: { kind: "client" } },
    });
    expect(await api.call("DELETE", `/api/v2/client-grants/${id}`, { token })).toMatchObject({
      status: 404,
      body: {
        statusCode: 404,
        error: "Not Found",
        message: "The client grant does not exist.",
        errorCode: "inexistent_client_grant",
      },
    });
  });

  it("checks Management API scopes like any API's: only its own scopes may be granted", async () => {
    const audience = managementAudience(t.deps.env.PUBLIC_URL);
    const bad = await api.call("POST", "/api/v2/client-grants", {
      token,
      body: { client_id: t.fx.clients.web.clientId, audience, scope: ["read:users", "root:everything"] },
    });
    expect(bad).toMatchObject({ status: 400, body: { statusCode: 400, errorCode: "invalid_body" } });
    expect((bad.body as { message: string }).message).toContain("root:everything");
    // A client may not hand out Management API scopes it does not hold itself (safer than Auth0).
    const escalating = await api.call("POST", "/api/v2/client-grants", {
      token,
      body: { client_id: t.fx.clients.web.clientId, audience, scope: ["read:users"] },
    });
    expect(escalating).toMatchObject({
      status: 403,
      body: {
        statusCode: 403,
        errorCode: "insufficient_scope",
        message: "A client may grant only Management API scopes it holds itself; it lacks read:users.",
      },
    });
    token = await managementToken(t.deps, t.fx.clients.noPassword, [...SCOPES, "read:users"]);
    const good = await api.call("POST", "/api/v2/client-grants", {
      token,
      body: { client_id: t.fx.clients.web.clientId, audience, scope: ["read:users"] },
    });
    expect(good).toMatchObject({ status: 201, body: { audience, scope: ["read:users"] } });
    const id = (good.body as { id: string }).id;
    expect(
      await api.call("PATCH", `/api/v2/client-grants/${id}`, {
        token,
        body: { scope: ["delete:everything"] },
      }),
    ).toMatchObject({ status: 400, body: { errorCode: "invalid_body" } });
    expect((await api.call("DELETE", `/api/v2/client-grants/${id}`, { token })).status).toBe(204);
    // Nor widen its own grant: the PATCH is refused and the grant stays as it was.
    const own = (
      (
        await api.call(
          "GET",
          `/api/v2/client-grants?client_id=${t.fx.clients.noPassword.clientId}&audience=${encodeURIComponent(audience)}`,
          {
            token,
          },
        )
      ).body as { id: string; scope: string[] }[]
    )[0]!;
    const widened = await api.call("PATCH", `/api/v2/client-grants/${own.id}`, {
      token,
      body: { scope: [...own.scope, "delete:users"] },
    });
    expect(widened).toMatchObject({ status: 403, body: { errorCode: "insufficient_scope" } });
    expect((await findClientGrantById(t.deps.db, own.id))?.scope).toEqual(own.scope);
    token = await managementToken(t.deps, t.fx.clients.noPassword, SCOPES);
  });

  it("answers Auth0's 404 for an unknown client, API or grant, 409 for a pair granted already, 400 for bad bodies", async () => {
    const body = {
      client_id: t.fx.clients.basic.clientId,
      audience: t.fx.apis.reports.identifier,
      scope: [],
    };
    expect(
      await api.call("POST", "/api/v2/client-grants", { token, body: { ...body, client_id: "nobody" } }),
    ).toMatchObject({
      status: 404,
      body: {
        statusCode: 404,
        error: "Not Found",
        message: "The client does not exist.",
        errorCode: "inexistent_client",
      },
    });
    expect(
      await api.call("POST", "/api/v2/client-grants", {
        token,
        body: { ...body, audience: "https://nope.test" },
      }),
    ).toMatchObject({ status: 404, body: { statusCode: 404, errorCode: "inexistent_resource_server" } });
    const first = await api.call("POST", "/api/v2/client-grants", { token, body });
    expect(first.status).toBe(201);
    expect(await api.call("POST", "/api/v2/client-grants", { token, body })).toMatchObject({
      status: 409,
      body: { statusCode: 409, error: "Conflict", errorCode: "client_grant_conflict" },
    });
    expect(
      await api.call("PATCH", "/api/v2/client-grants/cgr_nope", { token, body: { scope: [] } }),
    ).toMatchObject({ status: 404, body: { errorCode: "inexistent_client_grant" } });

    for (const bad of [
      {},
      { ...body, scope: "read:reports" },
      { ...body, client_id: 7 },
      { ...body, audience: "" },
      { ...body, extra: true },
      { ...body, organization_usage: "require" },
      { ...body, allow_any_organization: true },
      { ...body, subject_type: "user" },
    ]) {
      const res = await api.call("POST", "/api/v2/client-grants", { token, body: bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: "Bad Request", errorCode: "invalid_body" });
    }
    const id = (first.body as { id: string }).id;
    for (const bad of [{}, { scope: null }, { scope: [1] }, { audience: "x", scope: [] }]) {
      const res = await api.call("PATCH", `/api/v2/client-grants/${id}`, { token, body: bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body).toMatchObject({ errorCode: "invalid_body" });
    }
    await api.call("DELETE", `/api/v2/client-grants/${id}`, { token });
  });

  it("refuses each operation without its own scope (403 insufficient_scope)", async () => {
    const reader = await managementToken(t.deps, t.fx.clients.noPassword, ["read:client_grants"]);
    for (const [method, path, scope] of [
      ["POST", "/api/v2/client-grants", "create:client_grants"],
      ["PATCH", "/api/v2/client-grants/cgr_x", "update:client_grants"],
      ["DELETE", "/api/v2/client-grants/cgr_x", "delete:client_grants"],
    ] as const) {
      expect(await api.call(method, path, { token: reader, body: {} })).toMatchObject({
        status: 403,
        body: { message: `Insufficient scope, expected any of: ${scope}`, errorCode: "insufficient_scope" },
      });
    }
    const writer = await managementToken(t.deps, t.fx.clients.noPassword, [
      "create:client_grants",
      "read:clients",
    ]);
    expect(await api.call("GET", "/api/v2/client-grants", { token: writer })).toMatchObject({
      status: 403,
      body: { message: "Insufficient scope, expected any of: read:client_grants" },
    });
    token = await managementToken(t.deps, t.fx.clients.noPassword, SCOPES);
  });
});
