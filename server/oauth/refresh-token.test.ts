import { describe, expect, it } from "vitest";
import { decodeProtectedHeader, jwtVerify } from "jose";
import { testDatabaseKinds } from "../testing/test-deps.ts";
import { useSeededDeps } from "../testing/use-deps.ts";
import { createFixtureUser, type TFixtureClient, type TFixtureUser } from "../testing/fixtures.ts";
import {
  callTokenNotingSecrets,
  passwordParams,
  type TTokenCall,
  type TTokenResult,
} from "../testing/token-calls.ts";
import { str, validateIdTokenLikeNodeAuth0, verifyRs256AccessToken, words } from "../testing/token-checks.ts";
import { countLogRows, serializedAuditRows } from "../testing/stored-rows.ts";
import { setUserBlocked } from "../store/users.ts";
import { setUserBlocked as blockUserAsAdmin } from "../admin/users.ts";
import { setUserPassword } from "../admin/set-user-password.ts";
import { adminOf, lastAdminChange } from "../testing/admin-actors.ts";

const DAY = 24 * 3600 * 1000;
const INVALID = "invalid_grant";
const UNKNOWN_TOKEN = "Unknown or invalid refresh token.";

function expectStatus(res: TTokenResult, status: number, error?: string, description?: string): void {
  if (res.status !== status)
    throw new Error(`expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  if (error !== undefined) expect(res.body.error).toBe(error);
  if (description !== undefined) expect(res.body.error_description).toBe(description);
  expect(res.headers.get("cache-control")).toBe("no-store");
  expect(res.logs).toHaveLength(1);
}

describe.each(testDatabaseKinds())("POST /oauth/token, refresh_token grant (%s)", (kind) => {
  const t = useSeededDeps(kind);
  const issuedSecrets: string[] = [];

  const post = (call: TTokenCall) => callTokenNotingSecrets(t.deps, call, issuedSecrets);

  /** Password login asking for a refresh token; returns the token response body. */
  async function login(
    client: TFixtureClient & { secret?: string },
    user: TFixtureUser,
    extra: Record<string, string> = {},
  ): Promise<Record<string, unknown>> {
    const res = await post({
      params: passwordParams(client, user, {
        audience: t.fx.apis.orders.identifier,
        scope: "openid offline_access",
        ...extra,
      }),
    });
    expectStatus(res, 200);
    expect(typeof res.body.refresh_token).toBe("string");
    return res.body;
  }

  function refresh(
    client: TFixtureClient & { secret?: string },
    token: unknown,
    extra: Record<string, string> = {},
  ): Promise<TTokenResult> {
    return post({
      params: {
        grant_type: "refresh_token",
        client_id: client.clientId,
        ...(client.secret ? { client_secret: client.secret } : {}),
        refresh_token: str(token),
        ...extra,
      },
    });
  }

  it("rotation: a refresh returns new access, ID and refresh tokens with the original grant", async () => {
    const { web } = t.fx.clients;
    const { alice } = t.fx.users;
    const first = await login(web, alice);
    t.deps.clock.advance(60_000);
    const res = await refresh(web, first.refresh_token);
    expectStatus(res, 200);
    expect(Object.keys(res.body).sort()).toEqual([
      "access_token",
      "expires_in",
      "id_token",
      "refresh_token",
      "scope",
      "token_type",
    ]);
    expect(res.body.refresh_token).not.toBe(first.refresh_token);
    expect(res.body.scope).toBe(first.scope);
    expect(res.body.expires_in).toBe(t.fx.apis.orders.tokenLifetime);
    const at = await verifyRs256AccessToken(t.deps, str(res.body.access_token), {
      audience: t.fx.apis.orders.identifier,
    });
    expect(at).toMatchObject({
      sub: alice.userId,
      azp: web.clientId,
      aud: [t.fx.apis.orders.identifier, t.fx.userinfo],
      iss: t.fx.issuer,
    });
    expect(at.iat).toBe(Math.floor(t.deps.clock.now().getTime() / 1000));
    const id = await validateIdTokenLikeNodeAuth0(t.deps, str(res.body.id_token), { clientId: web.clientId });
    expect(id.sub).toBe(alice.userId);
    expect(res.logs[0]).toMatchObject({
      type: "sertft",
      client_id: web.clientId,
      client_name: web.name,
      user_id: alice.userId,
      user_name: alice.email,
      audience: t.fx.apis.orders.identifier,
      scope: str(first.scope),
      ip: expect.any(String),
      client_ip: expect.any(String),
      user_agent: expect.any(String),
    });
    // The new token is usable in turn.
    expectStatus(await refresh(web, res.body.refresh_token), 200);
  });

  it("reuse of a rotated token: 403 invalid_grant, and the whole family dies (newest token included)", async () => {
    const { web } = t.fx.clients;
    const user = await createFixtureUser(t.deps, t.fx, {
      connection: "database",
      password: "family-reuse-pw",
    });
    const r0 = (await login(web, user)).refresh_token;
    const other = (await login(web, user)).refresh_token; // a second session of the same user
    const r1 = (await refresh(web, r0)).body.refresh_token;
    const r2Res = await refresh(web, r1);
    expectStatus(r2Res, 200);
    const r2 = r2Res.body.refresh_token;

    const reuse = await refresh(web, r0);
    expectStatus(reuse, 403, INVALID);
    expect(reuse.logs[0]).toMatchObject({ type: "fertft", client_id: web.clientId });
    expect(reuse.logs[0]?.details).toMatchObject({ reuse_detected: true });

    expectStatus(await refresh(web, r2), 403, INVALID);
    expectStatus(await refresh(web, r1), 403, INVALID);
    // Only that family: the user's other session keeps working.
    expectStatus(await refresh(web, other), 200);
  });

  it("two concurrent exchanges of one token: exactly one wins, and the family is revoked", async () => {
    const { web } = t.fx.clients;
    const user = await createFixtureUser(t.deps, t.fx, {
      connection: "database",
      password: "race-the-token",
    });
    const r0 = (await login(web, user)).refresh_token;
    const [a, b] = await Promise.all([refresh(web, r0), refresh(web, r0)]);
    expect([a!.status, b!.status].sort()).toEqual([200, 403]);
    const winner = a!.status === 200 ? a! : b!;
    expect((await refresh(web, winner.body.refresh_token)).status).toBe(403);
    expect(await countLogRows(t.deps, { userId: user.userId, type: "sertft" })).toBe(1);
  });

  it("a refresh token of another client is refused and stays valid for its own client", async () => {
    const { web, spa, hs256 } = t.fx.clients;
    const token = (await login(web, t.fx.users.alice)).refresh_token;
    const foreign = await refresh(spa, token);
    expectStatus(foreign, 403, INVALID);
    expect(foreign.logs[0]).toMatchObject({ type: "fertft", client_id: spa.clientId });
    expect(foreign.logs[0]?.user_id).toBeUndefined();
    // A client without the refresh_token grant is refused before the token is looked at.
    expectStatus(
      await refresh(hs256, token),
      403,
      "unauthorized_client",
      "Grant type 'refresh_token' not allowed for the client.",
    );
    expectStatus(await refresh(web, token), 200);
  });

  it("client authentication applies to refresh: a wrong secret is 401 and does not consume the token", async () => {
    const { web } = t.fx.clients;
    const token = (await login(web, t.fx.users.alice)).refresh_token;
    expectStatus(await refresh({ ...web, secret: "wrong" }, token), 401, "access_denied", "Unauthorized");
    expectStatus(await refresh({ ...web, secret: undefined }, token), 401, "access_denied", "Unauthorized");
    expectStatus(await refresh(web, token), 200);
  });

  it("missing or unknown refresh token", async () => {
    const { web } = t.fx.clients;
    const missing = await post({
      params: { grant_type: "refresh_token", client_id: web.clientId, client_secret: web.secret },
    });
    expectStatus(missing, 400, "invalid_request");
    expect(missing.logs[0]?.type).toBe("fertft");
    const unknown = await refresh(web, "v1.not-a-real-refresh-token");
    expectStatus(unknown, 403, INVALID);
    expect(unknown.logs[0]?.type).toBe("fertft");
  });

  it("public client refreshes with client_id only (JSON body)", async () => {
    const { spa } = t.fx.clients;
    const first = await login(spa, t.fx.users.alice);
    const res = await post({
      encoding: "json",
      params: {
        grant_type: "refresh_token",
        client_id: spa.clientId,
        refresh_token: str(first.refresh_token),
      },
    });
    expectStatus(res, 200);
    expect(res.body.refresh_token).not.toBe(first.refresh_token);
    await validateIdTokenLikeNodeAuth0(t.deps, str(res.body.id_token), { clientId: spa.clientId });
  });

  it("HS256 API: refreshed access tokens are still signed with the API secret", async () => {
    const { legacy } = t.fx.apis;
    const first = await login(t.fx.clients.web, t.fx.users.alice, {
      audience: legacy.identifier,
      scope: "offline_access",
    });
    const res = await refresh(t.fx.clients.web, first.refresh_token);
    expectStatus(res, 200);
    const token = str(res.body.access_token);
    expect(decodeProtectedHeader(token).alg).toBe("HS256");
    const { payload } = await jwtVerify(token, new TextEncoder().encode(legacy.secret), {
      issuer: t.fx.issuer,
      audience: legacy.identifier,
      currentDate: t.deps.clock.now(),
    });
    expect(words(payload.scope)).toEqual(["legacy:read", "offline_access"]);
  });

  it("blocked user: 403 invalid_grant 'user is blocked'", async () => {
    const { web } = t.fx.clients;
    const user = await createFixtureUser(t.deps, t.fx, {
      connection: "database",
      password: "soon-to-be-blocked",
    });
    const token = (await login(web, user)).refresh_token;
    await setUserBlocked(t.deps.db, user.userId, true, t.deps.clock.now());
    const res = await refresh(web, token);
    expectStatus(res, 403, INVALID, "user is blocked");
    expect(res.logs[0]).toMatchObject({
      type: "fertft",
      user_id: user.userId,
      description: "user is blocked",
    });
  });

  describe("an admin's password change or block ends the user's sessions", () => {
    /** A fresh user holding a refresh token of a rotating and of a non-rotating client. */
    async function userWithTokens() {
      const { web, nonRotating } = t.fx.clients;
      const user = await createFixtureUser(t.deps, t.fx, {
        connection: "database",
        password: "old-pass-123",
      });
      return {
        user,
        tokens: [
          [web, (await login(web, user)).refresh_token],
          [nonRotating, (await login(nonRotating, user)).refresh_token],
        ] as const,
      };
    }

    it("a password set by an admin revokes every refresh token of the user, audited with the change", async () => {
      const { user, tokens } = await userWithTokens();
      const bystander = (await login(t.fx.clients.web, t.fx.users.alice)).refresh_token;
      const result = await setUserPassword(t.deps, adminOf("admin"), user.userId, "a-new-passphrase-42");
      for (const [client, token] of tokens)
        expectStatus(await refresh(client, token), 403, INVALID, UNKNOWN_TOKEN);
      expect(result).toMatchObject({ user_id: user.userId, revoked_refresh_tokens: 2 });
      expect((await lastAdminChange(t.deps, "set user password"))?.details?.after).toMatchObject({
        revoked_refresh_tokens: 2,
      });
      // Other users keep their sessions, and the user signs in again with the new password.
      expectStatus(await refresh(t.fx.clients.web, bystander), 200);
      await login(t.fx.clients.web, { ...user, password: "a-new-passphrase-42" });
    });

    it("an admin block revokes them: after the block is lifted the old refresh tokens stay refused", async () => {
      const { user, tokens } = await userWithTokens();
      await blockUserAsAdmin(t.deps, adminOf("admin"), user.userId, true);
      await blockUserAsAdmin(t.deps, adminOf("admin"), user.userId, false);
      for (const [client, token] of tokens)
        expectStatus(await refresh(client, token), 403, INVALID, UNKNOWN_TOKEN);
      await login(t.fx.clients.web, user);
      expect((await lastAdminChange(t.deps, "block user"))?.details?.after).toEqual({
        blocked: true,
        revoked_refresh_tokens: 2,
      });
    });
  });

  describe("scope narrowing", () => {
    it("a refresh may ask for fewer scopes, never more; the refresh token keeps the original grant", async () => {
      const { web } = t.fx.clients;
      const first = await login(web, t.fx.users.alice, {
        scope: "openid read:orders write:orders offline_access",
      });
      expect(words(first.scope)).toEqual([
        "address",
        "email",
        "offline_access",
        "openid",
        "phone",
        "profile",
        "read:orders",
        "write:orders",
      ]);

      const wider = await refresh(web, first.refresh_token, { scope: "read:orders delete:orders" });
      expectStatus(wider, 400, "invalid_scope");
      expect(wider.logs[0]?.type).toBe("fertft");

      const narrow = await refresh(web, first.refresh_token, { scope: "read:orders" });
      expectStatus(narrow, 200);
      expect(narrow.body.scope).toBe("read:orders");
      expect(narrow.body.id_token).toBeUndefined();
      const at = await verifyRs256AccessToken(t.deps, str(narrow.body.access_token), {
        audience: t.fx.apis.orders.identifier,
      });
      expect(at.scope).toBe("read:orders");
      expect(at.aud).toBe(t.fx.apis.orders.identifier);

      // RFC 6749 §6: a new refresh token has the scope of the one presented, so the session is not lost or shrunk.
      expect(typeof narrow.body.refresh_token).toBe("string");
      const full = await refresh(web, narrow.body.refresh_token);
      expectStatus(full, 200);
      expect(words(full.body.scope)).toEqual(words(first.scope));
    });
  });

  describe("non-rotating client", () => {
    it("keeps its token: no new refresh token, the same one works repeatedly", async () => {
      const { nonRotating } = t.fx.clients;
      const first = await login(nonRotating, t.fx.users.alice);
      for (let i = 0; i < 3; i++) {
        const res = await refresh(nonRotating, first.refresh_token);
        expectStatus(res, 200);
        expect(res.body.refresh_token).toBeUndefined();
        await validateIdTokenLikeNodeAuth0(t.deps, str(res.body.id_token), {
          clientId: nonRotating.clientId,
        });
      }
    });
  });

  // These move the clock by weeks; they run last so earlier token checks use a near-real clock.
  describe("expiry (moving the injected clock)", () => {
    it("a token unused for longer than the idle lifetime (15 days) is refused", async () => {
      const { web } = t.fx.clients;
      const token = (await login(web, t.fx.users.alice)).refresh_token;
      t.deps.clock.advance(15 * DAY + 1000);
      const res = await refresh(web, token);
      expectStatus(res, 403, INVALID);
      expect(res.logs[0]?.type).toBe("fertft");
    });

    it("a rotating family used regularly still ends at the absolute lifetime (30 days)", async () => {
      const { web } = t.fx.clients;
      let token = (await login(web, t.fx.users.alice)).refresh_token;
      for (const days of [10, 10, 9]) {
        t.deps.clock.advance(days * DAY);
        const res = await refresh(web, token);
        expectStatus(res, 200);
        token = res.body.refresh_token;
      }
      t.deps.clock.advance(DAY + 1000);
      expectStatus(await refresh(web, token), 403, INVALID);
    });

    it("a non-rotating token's idle window moves with each use, up to the absolute lifetime", async () => {
      const { nonRotating } = t.fx.clients;
      const token = (await login(nonRotating, t.fx.users.alice)).refresh_token;
      for (const days of [10, 10, 9]) {
        t.deps.clock.advance(days * DAY);
        expectStatus(await refresh(nonRotating, token), 200);
      }
      t.deps.clock.advance(DAY + 1000);
      expectStatus(await refresh(nonRotating, token), 403, INVALID);
    });
  });

  describe("storage and audit hygiene", () => {
    it("refresh tokens are stored only as hashes, and no secret reaches the audit log", async () => {
      const stored = JSON.stringify(await t.deps.db.all(`SELECT * FROM "RefreshToken"`));
      const audit = await serializedAuditRows(t.deps);
      const refreshTokens = issuedSecrets.filter((s) => /^[A-Za-z0-9_-]{43}$/.test(s));
      expect(refreshTokens.length).toBeGreaterThan(10);
      expect(refreshTokens.filter((t) => stored.includes(t))).toEqual([]);
      expect([...t.fx.secrets, ...issuedSecrets].filter((s) => audit.includes(s))).toEqual([]);
    });
  });
});
