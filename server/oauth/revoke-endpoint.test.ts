import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { testDatabaseKinds } from "../testing/test-deps.ts";
import { useSeededDeps } from "../testing/use-deps.ts";
import { createFixtureUser, type TFixtureClient, type TFixtureUser } from "../testing/fixtures.ts";
import { buildTokenRequest, callToken, passwordParams, type TTokenCall } from "../testing/token-calls.ts";
import { str } from "../testing/token-checks.ts";
import { serializedAuditRows } from "../testing/stored-rows.ts";
import { assertOAuthAnswer, fuzzRuns, junkObject, junkString, readAnswer } from "../testing/fuzz.ts";
import { listLogs, type TLogRecord } from "../store/logs.ts";
import { buildDiscoveryDocument } from "./discovery.ts";
import { handleRevokeRequest } from "./revoke-endpoint.ts";

type TClient = TFixtureClient & { secret?: string };
type TRevokeResult = { status: number; headers: Headers; text: string; logs: TLogRecord[] };

describe.each(testDatabaseKinds())("POST /oauth/revoke (%s)", (kind) => {
  const t = useSeededDeps(kind);

  async function revoke(call: TTokenCall): Promise<TRevokeResult> {
    const before = new Set((await listLogs(t.deps.db, { take: 100_000 })).map((l) => l.log_id));
    const res = await handleRevokeRequest(buildTokenRequest(call), t.deps);
    const text = await res.text();
    const logs = (await listLogs(t.deps.db, { take: 100_000 })).filter((l) => !before.has(l.log_id));
    return { status: res.status, headers: res.headers, text, logs };
  }

  /** What node-auth0's oauth.revokeRefreshToken sends: JSON with client_id, token and client_secret. */
  const revokeAs = (client: TClient, token: string, extra: Record<string, string> = {}) =>
    revoke({
      encoding: "json",
      params: {
        client_id: client.clientId,
        token,
        ...(client.secret ? { client_secret: client.secret } : {}),
        ...extra,
      },
    });

  async function login(client: TClient, user: TFixtureUser): Promise<string> {
    const res = await callToken(t.deps, {
      params: passwordParams(client, user, {
        audience: t.fx.apis.orders.identifier,
        scope: "openid offline_access",
      }),
    });
    expect(res.status).toBe(200);
    return str(res.body.refresh_token);
  }

  const refresh = (client: TClient, token: string) =>
    callToken(t.deps, {
      params: {
        grant_type: "refresh_token",
        client_id: client.clientId,
        ...(client.secret ? { client_secret: client.secret } : {}),
        refresh_token: token,
      },
    });

  function expectEmpty200(r: TRevokeResult): void {
    expect({ status: r.status, text: r.text }).toEqual({ status: 200, text: "" });
    expect(r.headers.get("cache-control")).toBe("no-store");
  }

  function expectError(r: TRevokeResult, status: number, error: string, description?: string): void {
    expect(r.status).toBe(status);
    const body = JSON.parse(r.text) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["error", "error_description"]);
    expect(body.error).toBe(error);
    if (description !== undefined) expect(body.error_description).toBe(description);
  }

  const newUser = () =>
    createFixtureUser(t.deps, t.fx, { connection: "database", password: "revoke-me-please-42" });

  it("revokes the token and its whole rotation family: 200 with an empty body, logged srrt", async () => {
    const { web } = t.fx.clients;
    const user = await newUser();
    const r0 = await login(web, user);
    const other = await login(web, user); // another session of the same user: not this family
    const r1 = str((await refresh(web, r0)).body.refresh_token);
    const r2 = str((await refresh(web, r1)).body.refresh_token);

    // Revoking a token rotated out long ago still kills the live end of its family.
    const r = await revokeAs(web, r0);
    expectEmpty200(r);
    for (const tok of [r0, r1, r2]) {
      const res = await refresh(web, tok);
      expect(res.status).toBe(403);
      expect(res.body.error).toBe("invalid_grant");
    }
    expect((await refresh(web, other)).status).toBe(200);
    expect(r.logs).toHaveLength(1);
    expect(r.logs[0]).toMatchObject({
      type: "srrt",
      client_id: web.clientId,
      client_name: web.name,
      user_id: user.userId,
      user_name: user.email,
      ip: expect.any(String),
      client_ip: expect.any(String),
    });
    expect(r.logs[0]?.details).toMatchObject({ revoked: 3 });
    const audit = await serializedAuditRows(t.deps);
    for (const tok of [r0, r1, r2]) expect(audit).not.toContain(tok);
  });

  it("unknown, already revoked and access tokens: the same empty 200, nothing logged", async () => {
    const { web } = t.fx.clients;
    const user = await newUser();
    const token = await login(web, user);
    expectEmpty200(await revokeAs(web, token));
    const again = await revokeAs(web, token);
    expectEmpty200(again);
    expect(again.logs).toHaveLength(0);
    const unknown = await revokeAs(web, "v1.not-a-real-refresh-token");
    expectEmpty200(unknown);
    expect(unknown.logs).toHaveLength(0);
    // An access token cannot be revoked (Auth0 revokes refresh tokens only); it is not found and answered alike.
    const login2 = await callToken(t.deps, { params: passwordParams(web, user, { scope: "openid" }) });
    const access = await revokeAs(web, str(login2.body.access_token), { token_type_hint: "access_token" });
    expectEmpty200(access);
    expect(access.logs).toHaveLength(0);
  });

  it("token_type_hint is ignored (RFC 7009 §2.1): a refresh token hinted as an access token is revoked", async () => {
    const { web } = t.fx.clients;
    const token = await login(web, await newUser());
    expectEmpty200(await revokeAs(web, token, { token_type_hint: "access_token" }));
    expect((await refresh(web, token)).status).toBe(403);
  });

  it("another client's refresh token: the same empty 200, and the token keeps working", async () => {
    const { web, spa, nonRotating } = t.fx.clients;
    const token = await login(web, await newUser());
    const foreign = await revokeAs(spa, token);
    expectEmpty200(foreign);
    expect(foreign.logs).toHaveLength(0);
    expectEmpty200(await revokeAs(nonRotating, token));
    expect((await refresh(web, token)).status).toBe(200);
  });

  it("a public client revokes with client_id alone (form body); a secret sent by it is refused", async () => {
    const { spa } = t.fx.clients;
    const token = await login(spa, await newUser());
    const withSecret = await revoke({
      params: { client_id: spa.clientId, client_secret: "anything-at-all", token },
    });
    expectError(withSecret, 401, "invalid_client");
    expect((await refresh(spa, token)).status).toBe(200);
    const fresh = await login(spa, await newUser());
    expectEmpty200(await revoke({ params: { client_id: spa.clientId, token: fresh } }));
    expect((await refresh(spa, fresh)).status).toBe(403);
  });

  it("client_secret_basic works for a Basic client; a wrong method, secret or client is 401 invalid_client", async () => {
    const { web, basic } = t.fx.clients;
    expectEmpty200(
      await revoke({ basic: { id: basic.clientId, secret: basic.secret }, params: { token: "x" } }),
    );
    const token = await login(web, await newUser());
    const refusals = [
      revoke({ basic: { id: web.clientId, secret: web.secret }, params: { token } }), // web is client_secret_post
      revokeAs({ ...web, secret: "wrong-secret" }, token),
      revokeAs({ ...web, secret: undefined }, token),
      revokeAs({ ...web, clientId: "no-such-client-id" }, token),
    ];
    for (const r of await Promise.all(refusals)) {
      expectError(r, 401, "invalid_client", "Unauthorized");
      expect(r.logs).toHaveLength(0);
    }
    expect((await refresh(web, token)).status).toBe(200);
  });

  it("missing parameters and malformed bodies: 400 invalid_request", async () => {
    const { web } = t.fx.clients;
    expectError(
      await revoke({ params: { client_id: web.clientId, client_secret: web.secret } }),
      400,
      "invalid_request",
      "Missing required parameter: token",
    );
    expectError(
      await revoke({ params: { token: "abc" } }),
      400,
      "invalid_request",
      "Missing required parameter: client_id",
    );
    expectError(await revoke({ contentType: "text/plain", rawBody: "token=a" }), 400, "invalid_request");
    expectError(await revoke({ contentType: "application/json", rawBody: "{" }), 400, "invalid_request");
    expectError(
      await revoke({ rawBody: "token=a&token=b", contentType: "application/x-www-form-urlencoded" }),
      400,
      "invalid_request",
    );
    expectError(
      await revoke({ contentType: "application/json", rawBody: JSON.stringify({ token: { $ne: 1 } }) }),
      400,
      "invalid_request",
    );
  });

  it("a malformed-input sweep never answers 5xx, and never revokes a token it was not sent by its client", async () => {
    const { web, spa } = t.fx.clients;
    const token = await login(web, await newUser());
    const keys = ["token", "client_id", "client_secret", "token_type_hint"];
    const clientIds = fc.constantFrom(web.clientId, spa.clientId, "nope", "");
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          junkObject(keys).map((o) => ({ json: o })),
          fc
            .record({ client_id: clientIds, token: fc.oneof(junkString(), fc.constant(token)) })
            .map((o) => ({ form: o })),
          fc
            .tuple(
              fc.constantFrom("application/json", "application/x-www-form-urlencoded", "text/plain", ""),
              junkString(),
            )
            .map(([ct, raw]) => ({ raw, ct })),
        ),
        async (input) => {
          const req =
            "json" in input
              ? buildTokenRequest({ contentType: "application/json", rawBody: JSON.stringify(input.json) })
              : "form" in input
                ? buildTokenRequest({ params: input.form })
                : buildTokenRequest({ contentType: input.ct, rawBody: input.raw });
          assertOAuthAnswer(await readAnswer(await handleRevokeRequest(req, t.deps)), "revoke");
        },
      ),
      fuzzRuns(150),
    );
    // None of those requests carried web's secret, so web's token is alive.
    expect((await refresh(web, token)).status).toBe(200);
  }, 120_000);

  it("discovery names the revocation endpoint and its client authentication methods", () => {
    const doc = buildDiscoveryDocument(t.deps.env);
    expect(doc.revocation_endpoint).toBe(`${t.deps.env.PUBLIC_URL}/oauth/revoke`);
    expect(doc.revocation_endpoint_auth_methods_supported).toEqual(doc.token_endpoint_auth_methods_supported);
  });
});
