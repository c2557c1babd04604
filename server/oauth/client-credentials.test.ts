import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeJwt } from "jose";
import { testDatabaseKinds, createTestDeps, type TTestDeps } from "../testing/test-deps.ts";
import { useSeededDeps } from "../testing/use-deps.ts";
import { seedFixture, type TFixture, type TSecretClient } from "../testing/fixtures.ts";
import { callToken, type TTokenResult } from "../testing/token-calls.ts";
import { str, verifyRs256AccessToken, words } from "../testing/token-checks.ts";
import { insertClientGrant } from "../store/client-grants.ts";
import { upsertClientByName } from "../store/clients.ts";
import { updateTenant } from "../store/tenant.ts";
import type { TDeps } from "../config/deps.ts";

const CC = "client_credentials";
const NOT_ALLOWED = "Grant type 'client_credentials' not allowed for the client.";

function ccParams(client: TSecretClient, extra: Record<string, string> = {}): Record<string, string> {
  return { grant_type: CC, client_id: client.clientId, client_secret: client.secret, ...extra };
}

function expectError(res: TTokenResult, status: number, error: string, description: string): void {
  expect({ status: res.status, body: res.body }).toEqual({
    status,
    body: { error, error_description: description },
  });
  expect(res.logs.map((l) => [l.type, l.description])).toEqual([["feccft", description]]);
}

async function grant(deps: TDeps, clientRowId: string, audience: string, scope: string[]): Promise<void> {
  await insertClientGrant(
    deps.db,
    { id: `cgr_${randomUUID().replace(/-/g, "").slice(0, 16)}`, clientId: clientRowId, audience, scope },
    deps.clock.now(),
  );
}

describe.each(testDatabaseKinds())("POST /oauth/token, client_credentials (%s)", (kind) => {
  const t = useSeededDeps(kind);
  let m2m: TSecretClient;
  beforeAll(async () => {
    // "Acme Dashboard (no ROP)": confidential, holds client_credentials. Granted two of the three Orders scopes.
    m2m = t.fx.clients.noPassword;
    await grant(t.deps, m2m.id, t.fx.apis.orders.identifier, ["read:orders", "write:orders"]);
    await grant(t.deps, m2m.id, t.fx.apis.reports.identifier, ["read:reports"]);
  });

  it("issues an access token with Auth0's claims: gty, sub <client_id>@clients, azp, aud, scope, iss, iat, exp", async () => {
    const res = await callToken(t.deps, { params: ccParams(m2m, { audience: t.fx.apis.orders.identifier }) });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(["access_token", "expires_in", "scope", "token_type"]);
    expect(res.body.expires_in).toBe(7200);
    const claims = await verifyRs256AccessToken(t.deps, str(res.body.access_token), {
      audience: t.fx.apis.orders.identifier,
    });
    const now = Math.floor(t.deps.clock.now().getTime() / 1000);
    expect(claims).toMatchObject({
      iss: t.fx.issuer,
      sub: `${m2m.clientId}@clients`,
      aud: t.fx.apis.orders.identifier,
      azp: m2m.clientId,
      gty: "client-credentials",
      iat: now,
      exp: now + 7200,
    });
    expect(words(claims.scope)).toEqual(["read:orders", "write:orders"]);
    expect(words(res.body.scope)).toEqual(["read:orders", "write:orders"]);
    expect(res.logs.map((l) => [l.type, l.client_id, l.audience])).toEqual([
      ["seccft", m2m.clientId, t.fx.apis.orders.identifier],
    ]);
  });

  it("grants the intersection of the requested scopes with the client grant (Basic auth too)", async () => {
    const res = await callToken(t.deps, {
      basic: { id: m2m.clientId, secret: m2m.secret },
      params: {
        grant_type: CC,
        audience: t.fx.apis.orders.identifier,
        scope: "read:orders delete:orders openid",
      },
    });
    // The client authenticates by client_secret_post, so Basic is refused like any wrong method.
    expect(res.status).toBe(401);
    const post = await callToken(t.deps, {
      params: ccParams(m2m, {
        audience: t.fx.apis.orders.identifier,
        scope: "read:orders delete:orders openid",
      }),
    });
    expect(post.status).toBe(200);
    expect(post.body.scope).toBe("read:orders");
    const claims = decodeJwt(str(post.body.access_token));
    expect(claims.scope).toBe("read:orders");
    expect(claims.aud).toBe(t.fx.apis.orders.identifier);
  });

  it("gives an empty scope when none of the requested scopes is granted, and never an ID or refresh token", async () => {
    const res = await callToken(t.deps, {
      params: ccParams(m2m, {
        audience: t.fx.apis.orders.identifier,
        scope: "delete:orders openid offline_access",
      }),
    });
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe("");
    expect(res.body.id_token).toBeUndefined();
    expect(res.body.refresh_token).toBeUndefined();
  });

  it("refuses a client without a client grant for the API with Auth0's 403 access_denied text", async () => {
    const res = await callToken(t.deps, { params: ccParams(m2m, { audience: t.fx.apis.legacy.identifier }) });
    expectError(
      res,
      403,
      "access_denied",
      `Client is not authorized to access "${t.fx.apis.legacy.identifier}". You need to create a "client-grant" associated to this API. See: https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants`,
    );
  });

  it("requires an audience unless the tenant has a default audience", async () => {
    expectError(
      await callToken(t.deps, { params: ccParams(m2m) }),
      403,
      "access_denied",
      "No audience parameter was provided, and no default audience has been configured",
    );
    await updateTenant(t.deps.db, { defaultAudience: t.fx.apis.reports.identifier }, t.deps.clock.now());
    t.deps.config.clear();
    try {
      const res = await callToken(t.deps, { params: ccParams(m2m) });
      expect(res.status).toBe(200);
      expect(decodeJwt(str(res.body.access_token)).aud).toBe(t.fx.apis.reports.identifier);
      expect(res.body.scope).toBe("read:reports");
    } finally {
      await updateTenant(t.deps.db, { defaultAudience: null }, t.deps.clock.now());
      t.deps.config.clear();
    }
  });

  it("refuses an unknown API", async () => {
    expectError(
      await callToken(t.deps, { params: ccParams(m2m, { audience: "https://nope.test" }) }),
      403,
      "access_denied",
      "Service not found: https://nope.test",
    );
  });

  it("refuses a client that does not hold the grant type", async () => {
    const web = t.fx.clients.web;
    await grant(t.deps, web.id, t.fx.apis.orders.identifier, ["read:orders"]);
    expectError(
      await callToken(t.deps, { params: ccParams(web, { audience: t.fx.apis.orders.identifier }) }),
      403,
      "unauthorized_client",
      NOT_ALLOWED,
    );
  });

  it("refuses a public client even when it lists the grant type (mis-imported)", async () => {
    const { id, clientId } = await upsertClientByName(
      t.deps.db,
      { name: "Public M2M", tokenEndpointAuthMethod: "none", grantTypes: [CC] },
      { clientId: `pub${randomUUID().replace(/-/g, "")}` },
      t.deps.clock.now(),
    );
    await grant(t.deps, id, t.fx.apis.orders.identifier, ["read:orders"]);
    expectError(
      await callToken(t.deps, {
        params: { grant_type: CC, client_id: clientId, audience: t.fx.apis.orders.identifier },
      }),
      403,
      "unauthorized_client",
      NOT_ALLOWED,
    );
  });

  it("refuses a wrong secret with 401 access_denied", async () => {
    const res = await callToken(t.deps, {
      params: {
        ...ccParams(m2m, { audience: t.fx.apis.orders.identifier }),
        client_secret: "wrong-secret-123",
      },
    });
    expectError(res, 401, "access_denied", "Unauthorized");
  });

  it("is a known, served grant type (discovery lists it)", async () => {
    const { SERVED_GRANT_TYPES } = await import("./grant-types.ts");
    expect(SERVED_GRANT_TYPES).toContain(CC);
  });
});

describe.each(testDatabaseKinds())("client_credentials rate limit (%s)", (kind) => {
  let deps: TTestDeps;
  let fx: TFixture;
  beforeAll(async () => {
    deps = await createTestDeps(kind, { CLIENT_CREDENTIALS_TOKENS_PER_MINUTE: "3" });
    fx = await seedFixture(deps);
    await grant(deps, fx.clients.noPassword.id, fx.apis.orders.identifier, ["read:orders"]);
  });
  afterAll(async () => {
    await deps?.cleanup();
  });

  it("answers 429 too_many_requests past the per-client limit, and admits again as time passes", async () => {
    const call = () =>
      callToken(deps, { params: ccParams(fx.clients.noPassword, { audience: fx.apis.orders.identifier }) });
    for (let i = 0; i < 3; i++) expect((await call()).status).toBe(200);
    const refused = await call();
    expect(refused.status).toBe(429);
    expect(refused.body.error).toBe("too_many_requests");
    expect(refused.headers.get("retry-after")).toBe("20");
    expect(refused.logs.map((l) => l.type)).toEqual(["feccft"]);
    deps.clock.advance(19_000);
    expect((await call()).status).toBe(429);
    deps.clock.advance(1_000);
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(429);
    deps.clock.advance(60_000);
    for (let i = 0; i < 3; i++) expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(429);
  });

  it("keeps one bucket per client: another client is not limited by the first", async () => {
    const other = fx.clients.hs256;
    await upsertClientByName(
      deps.db,
      { name: other.name, tokenEndpointAuthMethod: "client_secret_post", grantTypes: [CC] },
      { clientId: other.clientId },
      deps.clock.now(),
    );
    deps.config.clear();
    await grant(deps, other.id, fx.apis.orders.identifier, ["read:orders"]);
    const call = (c: TSecretClient) =>
      callToken(deps, { params: ccParams(c, { audience: fx.apis.orders.identifier }) });
    expect((await call(fx.clients.noPassword)).status).toBe(429);
    for (let i = 0; i < 3; i++) expect((await call(other)).status).toBe(200);
    expect((await call(other)).status).toBe(429);
  });
});
