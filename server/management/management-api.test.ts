import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeJwt } from "jose";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { useSeededDeps } from "../testing/use-deps.ts";
import { seedFixture, type TFixture } from "../testing/fixtures.ts";
import { callToken, passwordParams } from "../testing/token-calls.ts";
import {
  managementToken,
  revokeManagementGrant,
  startManagementServer,
  type TManagementServer,
} from "../testing/management-calls.ts";
import { findClientGrant } from "../store/client-grants.ts";
import { findResourceServerByIdOrIdentifier } from "../store/resource-servers.ts";
import { ensureManagementApi, MANAGEMENT_API_ID, managementAudience } from "./management-api.ts";

const AUDIENCE = "https://portcullis.test/api/v2/";

describe.each(testDatabaseKinds())("the Management API as a resource server (%s)", (kind) => {
  const t = useSeededDeps(kind);
  let api: TManagementServer;
  beforeAll(async () => {
    api = await startManagementServer(t.deps);
  });
  afterAll(async () => {
    await api.close();
  });

  it("is a built-in API at ${PUBLIC_URL}/api/v2/ whose client_credentials tokens carry the granted scopes", async () => {
    const token = await managementToken(t.deps, t.fx.clients.noPassword, [
      "read:resource_servers",
      "read:users",
    ]);
    expect(decodeJwt(token)).toMatchObject({
      aud: AUDIENCE,
      gty: "client-credentials",
      sub: `${t.fx.clients.noPassword.clientId}@clients`,
      scope: "read:resource_servers read:users",
    });
    const exp = decodeJwt(token).exp! - decodeJwt(token).iat!;
    expect(exp).toBe(86_400);
    const list = await api.call("GET", "/api/v2/resource-servers", { token });
    expect(list.status).toBe(200);
    const body = list.body as Record<string, unknown>[];
    expect(body[0]).toMatchObject({
      id: MANAGEMENT_API_ID,
      identifier: AUDIENCE,
      is_system: true,
      signing_alg: "RS256",
    });
    expect((body[0]!.scopes as { value: string }[]).map((s) => s.value)).toContain("read:users");
    expect(body.map((a) => a.identifier)).toEqual(
      expect.arrayContaining([t.fx.apis.orders.identifier, t.fx.apis.legacy.identifier]),
    );
    // The HS256 API's signing secret is never part of the answer.
    expect(JSON.stringify(body)).not.toContain(t.fx.apis.legacy.secret);
    expect(list.headers.get("cache-control")).toBe("no-store");
  });

  it("pages with page, per_page and include_totals, selects fields, and gets one API by id or identifier", async () => {
    const token = await managementToken(t.deps, t.fx.clients.noPassword, ["read:resource_servers"]);
    const paged = await api.call("GET", "/api/v2/resource-servers?per_page=2&page=1&include_totals=true", {
      token,
    });
    expect(paged.status).toBe(200);
    expect(paged.body).toMatchObject({ start: 2, limit: 2, total: 4 });
    expect((paged.body as { resource_servers: unknown[] }).resource_servers).toHaveLength(2);
    const fields = await api.call("GET", "/api/v2/resource-servers?fields=identifier,name&per_page=1", {
      token,
    });
    expect(fields.body).toEqual([{ identifier: AUDIENCE, name: "Portcullis Management API" }]);
    const byIdentifier = await api.call(
      "GET",
      `/api/v2/resource-servers/${encodeURIComponent(t.fx.apis.orders.identifier)}`,
      { token },
    );
    expect(byIdentifier.body).toMatchObject({ identifier: t.fx.apis.orders.identifier, is_system: false });
    const byId = await api.call("GET", `/api/v2/resource-servers/${MANAGEMENT_API_ID}`, { token });
    expect(byId.body).toMatchObject({ identifier: AUDIENCE });
    expect(await api.call("GET", "/api/v2/resource-servers/nope", { token })).toMatchObject({
      status: 404,
      body: {
        statusCode: 404,
        error: "Not Found",
        message: "The resource server does not exist",
        errorCode: "inexistent_resource_server",
      },
    });
  });

  it("refuses bad paging with Auth0's 400 invalid_query_string", async () => {
    const token = await managementToken(t.deps, t.fx.clients.noPassword, ["read:resource_servers"]);
    for (const q of ["per_page=0", "per_page=101", "page=-1", "page=x", "include_totals=yes"]) {
      const res = await api.call("GET", `/api/v2/resource-servers?${q}`, { token });
      expect(res.status, q).toBe(400);
      expect(res.body, q).toMatchObject({
        statusCode: 400,
        error: "Bad Request",
        errorCode: "invalid_query_string",
      });
    }
  });

  it("answers 401 in Auth0's body without a token, with a forged, expired or other API's token, or a user's token", async () => {
    const none = await api.call("GET", "/api/v2/resource-servers");
    expect(none).toMatchObject({
      status: 401,
      body: { statusCode: 401, error: "Unauthorized", message: "Missing authentication" },
    });
    const token = await managementToken(t.deps, t.fx.clients.noPassword, ["read:resource_servers"]);
    const [h, p] = token.split(".");
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...decodeJwt(token), scope: "read:users delete:users" })).toString("base64url")}.${token.split(".")[2]}`;
    expect(p).toBeTruthy();
    for (const bad of ["not-a-jwt", forged, `${token}x`]) {
      const res = await api.call("GET", "/api/v2/resource-servers", { token: bad });
      expect(res.status, bad.slice(0, 20)).toBe(401);
      expect(res.body).toMatchObject({ statusCode: 401, error: "Unauthorized", message: "Invalid token" });
    }
    expect(
      await api.call("GET", "/api/v2/resource-servers", { headers: { authorization: "Basic abc" } }),
    ).toMatchObject({ status: 401, body: { message: "Invalid token" } });

    // A token for another API of this server.
    await managementToken(t.deps, t.fx.clients.noPassword, ["read:resource_servers"]);
    const { insertClientGrant } = await import("../store/client-grants.ts");
    await insertClientGrant(
      t.deps.db,
      {
        id: "cgr_orderstestgrant1",
        clientId: t.fx.clients.noPassword.id,
        audience: t.fx.apis.orders.identifier,
        scope: ["read:orders"],
      },
      t.deps.clock.now(),
    );
    const orders = await callToken(t.deps, {
      params: {
        grant_type: "client_credentials",
        client_id: t.fx.clients.noPassword.clientId,
        client_secret: t.fx.clients.noPassword.secret,
        audience: t.fx.apis.orders.identifier,
      },
    });
    const wrongAudience = await api.call("GET", "/api/v2/resource-servers", {
      token: String(orders.body.access_token),
    });
    expect(wrongAudience).toMatchObject({
      status: 401,
      body: { message: `Bad audience: ${t.fx.apis.orders.identifier}` },
    });

    // A user's token for the Management API's audience is not a machine's: refused.
    const user = await callToken(t.deps, {
      params: passwordParams(t.fx.clients.web, t.fx.users.alice, {
        audience: AUDIENCE,
        scope: "openid read:users",
      }),
    });
    if (user.status === 200) {
      const res = await api.call("GET", "/api/v2/resource-servers", {
        token: String(user.body.access_token),
      });
      expect(res).toMatchObject({ status: 401, body: { message: "Invalid token" } });
    }

    // Expired: 24 hours and a second later.
    t.deps.clock.advance(86_401_000);
    try {
      expect(await api.call("GET", "/api/v2/resource-servers", { token })).toMatchObject({
        status: 401,
        body: { message: "Expired token received for JSON Web Token validation" },
      });
    } finally {
      t.deps.clock.advance(-86_401_000);
    }
  });

  it("answers 403 insufficient_scope naming the scopes the endpoint takes; a revoked grant takes effect at once", async () => {
    const token = await managementToken(t.deps, t.fx.clients.noPassword, ["read:users"]);
    expect(await api.call("GET", "/api/v2/resource-servers", { token })).toMatchObject({
      status: 403,
      body: {
        statusCode: 403,
        error: "Forbidden",
        message: "Insufficient scope, expected any of: read:resource_servers",
        errorCode: "insufficient_scope",
      },
    });
    const allowed = await managementToken(t.deps, t.fx.clients.noPassword, ["read:resource_servers"]);
    expect((await api.call("GET", "/api/v2/resource-servers", { token: allowed })).status).toBe(200);
    await revokeManagementGrant(t.deps, t.fx.clients.noPassword);
    expect((await api.call("GET", "/api/v2/resource-servers", { token: allowed })).status).toBe(403);
  });

  it("answers an unknown /api/v2 path with Auth0's 404 for a caller, and 401 for anyone else", async () => {
    const token = await managementToken(t.deps, t.fx.clients.noPassword, ["read:users"]);
    expect(await api.call("GET", "/api/v2/emails/provider", { token })).toMatchObject({
      status: 404,
      body: { statusCode: 404, error: "Not Found", message: "Not Found" },
    });
    expect((await api.call("DELETE", "/api/v2/emails/provider")).status).toBe(401);
  });
});

describe("Management API rate limit", () => {
  let deps: TTestDeps;
  let fx: TFixture;
  let api: TManagementServer;
  beforeAll(async () => {
    deps = await createTestDeps("sqlite", {
      MANAGEMENT_API_BURST: "3",
      MANAGEMENT_API_REQUESTS_PER_SECOND: "2",
    });
    fx = await seedFixture(deps);
    api = await startManagementServer(deps);
  });
  afterAll(async () => {
    await api.close();
    await deps.cleanup();
  });

  it("spends a burst, then answers 429 with Auth0's body and X-RateLimit headers until the bucket refills", async () => {
    const token = await managementToken(deps, fx.clients.noPassword, ["read:resource_servers"]);
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await api.call("GET", "/api/v2/resource-servers", { token });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-ratelimit-limit")).toBe("3");
      remaining.push(res.headers.get("x-ratelimit-remaining"));
    }
    expect(remaining).toEqual(["2", "1", "0"]);
    const limited = await api.call("GET", "/api/v2/resource-servers", { token });
    expect(limited).toMatchObject({
      status: 429,
      body: {
        statusCode: 429,
        error: "Too Many Requests",
        message: "Global limit has been reached",
        errorCode: "too_many_requests",
      },
    });
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(Number(limited.headers.get("x-ratelimit-reset"))).toBeGreaterThanOrEqual(
      Math.floor(deps.clock.now().getTime() / 1000),
    );
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    deps.clock.advance(500);
    expect((await api.call("GET", "/api/v2/resource-servers", { token })).status).toBe(200);
  });

  it("writes nothing at a start that finds the API as it should be", async () => {
    const updatedAt = async () =>
      (
        await deps.db.all<{ updatedAt: unknown }>(`SELECT "updatedAt" FROM "ResourceServer" WHERE "id" = ?`, [
          MANAGEMENT_API_ID,
        ])
      )[0]?.updatedAt;
    const before = await updatedAt();
    deps.clock.advance(60_000);
    await ensureManagementApi(deps.db, deps.env.PUBLIC_URL, deps.clock.now(), deps.log);
    expect(await updatedAt()).toEqual(before);
  });

  it("follows a new PUBLIC_URL: the API's identifier changes and its client grants move with it", async () => {
    await managementToken(deps, fx.clients.noPassword, ["read:users"]);
    await ensureManagementApi(deps.db, "https://auth.example.com", deps.clock.now(), deps.log);
    expect(await findResourceServerByIdOrIdentifier(deps.db, MANAGEMENT_API_ID)).toMatchObject({
      identifier: "https://auth.example.com/api/v2/",
    });
    expect(await findClientGrant(deps.db, fx.clients.noPassword.id, AUDIENCE)).toBeNull();
    expect(
      await findClientGrant(
        deps.db,
        fx.clients.noPassword.id,
        managementAudience("https://auth.example.com/"),
      ),
    ).toMatchObject({ scope: ["read:users"] });
    await ensureManagementApi(deps.db, deps.env.PUBLIC_URL, deps.clock.now(), deps.log);
    expect(await findClientGrant(deps.db, fx.clients.noPassword.id, AUDIENCE)).toMatchObject({
      scope: ["read:users"],
    });
  });
});
