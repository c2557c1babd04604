import { describe, expect, it, vi } from "vitest";
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { testDatabaseKinds } from "../testing/test-deps.ts";
import { useSeededDeps } from "../testing/use-deps.ts";
import { createFixtureUser } from "../testing/fixtures.ts";
import {
  DEFAULT_SOCKET_IP,
  DEFAULT_USER_AGENT,
  PASSWORD_GRANT,
  REALM_GRANT,
  callTokenNotingSecrets,
  passwordParams,
  realmParams,
  type TTokenCall,
  type TTokenResult,
} from "../testing/token-calls.ts";
import { str, validateIdTokenLikeNodeAuth0, verifyRs256AccessToken, words } from "../testing/token-checks.ts";
import { countLogRows, serializedAuditRows, storedUser } from "../testing/stored-rows.ts";
import { updateTenant } from "../store/tenant.ts";
import { insertUsers } from "../store/users.ts";

const OIDC = ["openid", "profile", "email", "address", "phone"];
const WRONG = "Wrong email or password.";
const NO_DEFAULT = "Authorization server not configured with default connection.";

/** What every error must look like on the wire: status, RFC body, no caching, exactly one audit record. */
function expectOAuthError(res: TTokenResult, status: number, error: string, description?: string): void {
  expect({ status: res.status, error: res.body.error }).toEqual({ status, error });
  if (description !== undefined) expect(res.body.error_description).toBe(description);
  expect(Object.keys(res.body).sort()).toEqual(["error", "error_description"]);
  expect(res.headers.get("cache-control")).toBe("no-store");
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expect(res.logs).toHaveLength(1);
}

function expectSuccess(res: TTokenResult): void {
  if (res.status !== 200) throw new Error(`expected 200, got ${res.status} ${JSON.stringify(res.body)}`);
  expect(res.logs).toHaveLength(1);
  expect(res.logs[0]?.type).toBe("sepft");
}

describe.each(testDatabaseKinds())("POST /oauth/token, password grants (%s)", (kind) => {
  const t = useSeededDeps(kind);
  /** Tokens handed out during the run; none may appear in the audit log. */
  const issuedSecrets: string[] = [];

  const post = (call: TTokenCall) => callTokenNotingSecrets(t.deps, call, issuedSecrets);

  /** Alice's password grant through the Acme Web client (client_secret_post), with `extra` parameters. */
  function aliceLogin(extra: Record<string, string> = {}): Promise<TTokenResult> {
    return post({ params: passwordParams(t.fx.clients.web, t.fx.users.alice, extra) });
  }

  describe("request bodies", () => {
    it("accepts application/x-www-form-urlencoded without a charset", async () => {
      const res = await post({
        params: passwordParams(t.fx.clients.web, t.fx.users.alice),
        encoding: "form",
      });
      expectSuccess(res);
    });

    it("accepts application/x-www-form-urlencoded;charset=UTF-8 (what fetch sends for node-auth0 with initOverrides)", async () => {
      const res = await post({
        params: realmParams(t.fx.clients.web, t.fx.users.alice, "Username-Password-Authentication"),
        encoding: "form-charset",
      });
      expectSuccess(res);
    });

    it("decodes UTF-8 form values", async () => {
      const user = await createFixtureUser(t.deps, t.fx, {
        connection: "database",
        password: "pässwörd-日本-🔑",
      });
      const res = await post({ params: passwordParams(t.fx.clients.web, user), encoding: "form-charset" });
      expectSuccess(res);
    });

    it("accepts a JSON body (Auth0.swift / auth0.js style, client_id only for a public app)", async () => {
      const res = await post({
        params: realmParams(t.fx.clients.spa, t.fx.users.alice, "Username-Password-Authentication"),
        encoding: "json",
      });
      expectSuccess(res);
    });

    it("accepts a JSON body with a charset parameter and a secret", async () => {
      const res = await post({
        contentType: "application/json; charset=utf-8",
        rawBody: JSON.stringify(passwordParams(t.fx.clients.web, t.fx.users.alice)),
      });
      expectSuccess(res);
    });

    it("refuses an unsupported content type with 400 invalid_request and logs a plain failure", async () => {
      const res = await post({
        contentType: "text/plain",
        rawBody: new URLSearchParams(passwordParams(t.fx.clients.web, t.fx.users.alice)).toString(),
      });
      expectOAuthError(res, 400, "invalid_request");
      expect(res.logs[0]?.type).toBe("f");
    });

    it("refuses a body without content type", async () => {
      const res = await post({
        rawBody: new URLSearchParams(passwordParams(t.fx.clients.web, t.fx.users.alice)).toString(),
      });
      expectOAuthError(res, 400, "invalid_request");
    });

    it("refuses malformed JSON and a JSON array with 400 invalid_request", async () => {
      expectOAuthError(
        await post({ contentType: "application/json", rawBody: '{"grant_type":' }),
        400,
        "invalid_request",
      );
      expectOAuthError(
        await post({ contentType: "application/json", rawBody: "[]" }),
        400,
        "invalid_request",
      );
    });

    it("refuses a repeated form parameter (RFC 6749 §3.2)", async () => {
      const body =
        new URLSearchParams(passwordParams(t.fx.clients.web, t.fx.users.alice)).toString() +
        "&username=mallory%40example.com";
      expectOAuthError(
        await post({ contentType: "application/x-www-form-urlencoded", rawBody: body }),
        400,
        "invalid_request",
      );
    });
  });

  describe("parameters and grant types", () => {
    it("missing grant_type: 400 invalid_request, logged as f", async () => {
      const { grant_type: _g, ...rest } = passwordParams(t.fx.clients.web, t.fx.users.alice);
      const res = await post({ params: rest });
      expectOAuthError(res, 400, "invalid_request");
      expect(res.logs[0]?.type).toBe("f");
    });

    it("unknown grant type: 400 unsupported_grant_type, logged as f", async () => {
      const res = await aliceLogin({ grant_type: "urn:example:magic" });
      expectOAuthError(res, 400, "unsupported_grant_type");
      expect(res.logs[0]?.type).toBe("f");
      expect(res.logs[0]?.client_id).toBe(t.fx.clients.web.clientId);
    });

    it.each(["username", "password"])("missing %s: 400 invalid_request, logged as fepft", async (name) => {
      const params = passwordParams(t.fx.clients.web, t.fx.users.alice);
      delete params[name];
      const res = await post({ params });
      expectOAuthError(res, 400, "invalid_request");
      expect(res.logs[0]?.type).toBe("fepft");
    });

    it("empty password: 400 invalid_request, no credential check", async () => {
      const verify = vi.spyOn(t.deps.hasher, "verify");
      const dummy = vi.spyOn(t.deps.hasher, "verifyDummy");
      try {
        expectOAuthError(
          await post({ params: passwordParams(t.fx.clients.web, { ...t.fx.users.alice, password: "" }) }),
          400,
          "invalid_request",
        );
        expect(verify).not.toHaveBeenCalled();
        expect(dummy).not.toHaveBeenCalled();
      } finally {
        verify.mockRestore();
        dummy.mockRestore();
      }
    });

    it("realm grant without realm: 400 invalid_request", async () => {
      const params = realmParams(t.fx.clients.web, t.fx.users.alice, "x");
      delete params.realm;
      expectOAuthError(await post({ params }), 400, "invalid_request");
    });

    it("missing client_id and no Authorization header: 400 invalid_request", async () => {
      const { client_id: _c, ...rest } = passwordParams(t.fx.clients.web, t.fx.users.alice);
      expectOAuthError(await post({ params: rest }), 400, "invalid_request");
    });
  });

  describe('client authentication (401 access_denied "Unauthorized")', () => {
    it("client_secret_post with the right secret succeeds", async () => {
      expectSuccess(await aliceLogin());
    });

    it("wrong secret", async () => {
      const res = await post({
        params: passwordParams(
          { ...t.fx.clients.web, secret: t.fx.clients.web.secret + "x" },
          t.fx.users.alice,
        ),
      });
      expectOAuthError(res, 401, "access_denied", "Unauthorized");
      expect(res.logs[0]).toMatchObject({
        type: "fepft",
        client_id: t.fx.clients.web.clientId,
        description: "Unauthorized",
      });
    });

    it("another client's secret", async () => {
      const res = await post({
        params: passwordParams({ ...t.fx.clients.web, secret: t.fx.clients.hs256.secret }, t.fx.users.alice),
      });
      expectOAuthError(res, 401, "access_denied", "Unauthorized");
    });

    it("missing secret for a confidential client", async () => {
      const res = await post({
        params: passwordParams({ clientId: t.fx.clients.web.clientId }, t.fx.users.alice),
      });
      expectOAuthError(res, 401, "access_denied", "Unauthorized");
    });

    it("empty secret for a confidential client", async () => {
      const res = await aliceLogin({ client_secret: "" });
      expectOAuthError(res, 401, "access_denied", "Unauthorized");
    });

    it("unknown client_id, with and without a secret", async () => {
      const ghost = {
        id: "",
        clientId: "no-such-client-0000000000000000",
        name: "",
        secret: t.fx.clients.web.secret,
      };
      expectOAuthError(
        await post({ params: passwordParams(ghost, t.fx.users.alice) }),
        401,
        "access_denied",
        "Unauthorized",
      );
      expectOAuthError(
        await post({ params: passwordParams({ ...ghost, secret: undefined }, t.fx.users.alice) }),
        401,
        "access_denied",
        "Unauthorized",
      );
      const { client_id: _c, ...noId } = passwordParams({ ...ghost, secret: undefined }, t.fx.users.alice);
      expectOAuthError(
        await post({ params: noId, basic: { id: ghost.clientId, secret: "x" } }),
        401,
        "access_denied",
        "Unauthorized",
      );
    });

    it("wrong method: HTTP Basic for a client_secret_post client, even with the right secret", async () => {
      const {
        client_secret: _s,
        client_id: _c,
        ...rest
      } = passwordParams(t.fx.clients.web, t.fx.users.alice);
      const res = await post({
        params: rest,
        basic: { id: t.fx.clients.web.clientId, secret: t.fx.clients.web.secret },
      });
      expectOAuthError(res, 401, "access_denied", "Unauthorized");
    });

    it("client_secret_basic with the right Basic header succeeds (client_id in the body too, as many SDKs send)", async () => {
      const { basic } = t.fx.clients;
      const { client_id: _c, ...rest } = passwordParams({ ...basic, secret: undefined }, t.fx.users.alice);
      expectSuccess(await post({ params: rest, basic: { id: basic.clientId, secret: basic.secret } }));
      expectSuccess(
        await post({
          params: { ...rest, client_id: basic.clientId },
          basic: { id: basic.clientId, secret: basic.secret },
        }),
      );
    });

    it("client_secret_basic: wrong Basic secret, or the secret in the body instead", async () => {
      const { basic } = t.fx.clients;
      const { client_id: _c, ...rest } = passwordParams({ ...basic, secret: undefined }, t.fx.users.alice);
      const wrongBasic = await post({ params: rest, basic: { id: basic.clientId, secret: "nope" } });
      expectOAuthError(wrongBasic, 401, "access_denied", "Unauthorized");
      // The failure record names the client the Basic header claimed.
      expect(wrongBasic.logs.map((l) => l.client_id)).toEqual([basic.clientId]);
      expectOAuthError(
        await post({ params: passwordParams(basic, t.fx.users.alice) }),
        401,
        "access_denied",
        "Unauthorized",
      );
    });

    it("Basic header and client_secret in the body together: 400 invalid_request", async () => {
      const { basic } = t.fx.clients;
      const res = await post({
        params: passwordParams(basic, t.fx.users.alice),
        basic: { id: basic.clientId, secret: basic.secret },
      });
      expectOAuthError(res, 400, "invalid_request");
    });

    it("public (none) client: client_id only succeeds; presenting a secret is refused", async () => {
      expectSuccess(await post({ params: passwordParams(t.fx.clients.spa, t.fx.users.alice) }));
      const res = await post({
        params: passwordParams({ ...t.fx.clients.spa, secret: t.fx.clients.web.secret }, t.fx.users.alice),
      });
      expectOAuthError(res, 401, "access_denied", "Unauthorized");
    });

    it("client authentication is checked before the user's password (no password oracle for bad clients)", async () => {
      const verify = vi.spyOn(t.deps.hasher, "verify");
      try {
        const res = await post({
          params: passwordParams(
            { ...t.fx.clients.web, secret: "wrong" },
            { ...t.fx.users.alice, password: "guess" },
          ),
        });
        expectOAuthError(res, 401, "access_denied", "Unauthorized");
        expect(verify).not.toHaveBeenCalled();
      } finally {
        verify.mockRestore();
      }
    });
  });

  describe("client gating (403 unauthorized_client)", () => {
    it("first-party client without the password grant", async () => {
      const res = await post({ params: passwordParams(t.fx.clients.noPassword, t.fx.users.alice) });
      expectOAuthError(res, 403, "unauthorized_client", "Grant type 'password' not allowed for the client.");
      expect(res.logs[0]).toMatchObject({
        type: "fepft",
        client_id: t.fx.clients.noPassword.clientId,
        client_name: t.fx.clients.noPassword.name,
      });
    });

    it("first-party client without the password grant, realm variant", async () => {
      const res = await post({
        params: realmParams(t.fx.clients.noPassword, t.fx.users.alice, "Username-Password-Authentication"),
      });
      expectOAuthError(
        res,
        403,
        "unauthorized_client",
        `Grant type '${REALM_GRANT}' not allowed for the client.`,
      );
    });

    it("third-party client is refused even though its grant list names the password grants", async () => {
      const verify = vi.spyOn(t.deps.hasher, "verify");
      try {
        expectOAuthError(
          await post({ params: passwordParams(t.fx.clients.thirdParty, t.fx.users.alice) }),
          403,
          "unauthorized_client",
          "Grant type 'password' not allowed for the client.",
        );
        expectOAuthError(
          await post({
            params: realmParams(
              t.fx.clients.thirdParty,
              t.fx.users.alice,
              "Username-Password-Authentication",
            ),
          }),
          403,
          "unauthorized_client",
          `Grant type '${REALM_GRANT}' not allowed for the client.`,
        );
        // The user's password is never looked at for a client that may not ask.
        expect(verify).not.toHaveBeenCalled();
      } finally {
        verify.mockRestore();
      }
    });
  });

  describe("credentials", () => {
    it("wrong password and unknown user look identical on the wire (403 invalid_grant)", async () => {
      const wrong = await post({
        params: passwordParams(t.fx.clients.web, { ...t.fx.users.alice, password: "not-her-password" }),
      });
      const unknown = await post({
        params: passwordParams(t.fx.clients.web, {
          email: "nobody@example.com",
          password: "not-her-password",
        }),
      });
      expectOAuthError(wrong, 403, "invalid_grant", WRONG);
      expectOAuthError(unknown, 403, "invalid_grant", WRONG);
      expect(unknown.body).toEqual(wrong.body);
      expect([...unknown.headers.entries()].sort()).toEqual([...wrong.headers.entries()].sort());
      // Only the audit record tells them apart.
      expect(wrong.logs[0]).toMatchObject({
        type: "fp",
        user_id: t.fx.users.alice.userId,
        description: WRONG,
      });
      expect(unknown.logs[0]).toMatchObject({
        type: "fu",
        description: WRONG,
        user_name: "nobody@example.com",
      });
      expect(unknown.logs[0]?.user_id).toBeUndefined();
    });

    it("an unknown user costs one real password hash verification; a known one costs exactly one too", async () => {
      const dummy = vi.spyOn(t.deps.hasher, "verifyDummy");
      const verify = vi.spyOn(t.deps.hasher, "verify");
      try {
        await post({
          params: passwordParams(t.fx.clients.web, { email: "ghost@example.com", password: "whatever" }),
        });
        expect(dummy).toHaveBeenCalledTimes(1);
        expect(dummy).toHaveBeenCalledWith("whatever");
        expect(verify).not.toHaveBeenCalled();
        // The spy calls through: the dummy really ran Argon2 (its promise resolved after the real work).
        await expect(dummy.mock.results[0]?.value).resolves.toBeUndefined();

        dummy.mockClear();
        await post({
          params: passwordParams(t.fx.clients.web, { ...t.fx.users.alice, password: "whatever" }),
        });
        expect(verify).toHaveBeenCalledTimes(1);
        expect(dummy).not.toHaveBeenCalled();
      } finally {
        dummy.mockRestore();
        verify.mockRestore();
      }
    });

    it("a user without a password hash answers like an unknown user, after a dummy hash", async () => {
      await insertUsers(
        t.deps.db,
        [
          {
            userId: "auth0|nopassword0001",
            connectionId: t.fx.connections.database.id,
            email: "sso-only@example.com",
          },
        ],
        t.deps.clock.now(),
      );
      const dummy = vi.spyOn(t.deps.hasher, "verifyDummy");
      try {
        const res = await post({
          params: passwordParams(t.fx.clients.web, { email: "sso-only@example.com", password: "anything" }),
        });
        expectOAuthError(res, 403, "invalid_grant", WRONG);
        expect(dummy).toHaveBeenCalledTimes(1);
      } finally {
        dummy.mockRestore();
      }
    });

    it("email matching is case-insensitive; a username works too", async () => {
      expectSuccess(
        await post({
          params: passwordParams(t.fx.clients.web, { ...t.fx.users.alice, email: "ALICE@Example.COM" }),
        }),
      );
      const res = await post({
        params: passwordParams(t.fx.clients.web, { ...t.fx.users.alice, email: "alice" }),
      });
      expectSuccess(res);
      expect(decodeJwt(str(res.body.access_token)).sub).toBe(t.fx.users.alice.userId);
    });

    it("admin-blocked user: wrong password still says 'Wrong email or password.'; the right one says 401 user is blocked", async () => {
      const { blocked } = t.fx.users;
      const wrong = await post({
        params: passwordParams(t.fx.clients.web, { ...blocked, password: "guess" }),
      });
      expectOAuthError(wrong, 403, "invalid_grant", WRONG);
      expect(wrong.logs[0]?.type).toBe("fp");

      const right = await post({ params: passwordParams(t.fx.clients.web, blocked) });
      expectOAuthError(right, 401, "unauthorized", "user is blocked");
      expect(right.logs[0]).toMatchObject({
        type: "fepft",
        user_id: blocked.userId,
        description: "user is blocked",
      });
      const row = await storedUser(t.deps, blocked.userId);
      expect(row.loginsCount).toBe(0);
    });

    it("a bcrypt-imported user logs in and the stored hash becomes Argon2id", async () => {
      const { bcrypt } = t.fx.users;
      const before = await storedUser(t.deps, bcrypt.userId);
      expect(before.passwordHash).toMatch(/^\$2[aby]\$10\$/);
      const res = await post({ params: passwordParams(t.fx.clients.web, bcrypt) });
      expectSuccess(res);
      const after = await storedUser(t.deps, bcrypt.userId);
      expect(after.passwordHash).toMatch(/^\$argon2id\$/);
      expect(await t.deps.hasher.verify(str(after.passwordHash), bcrypt.password)).toBe(true);
      // The new hash works for the next login and still refuses a wrong password.
      expectSuccess(await post({ params: passwordParams(t.fx.clients.web, bcrypt) }));
      expectOAuthError(
        await post({ params: passwordParams(t.fx.clients.web, { ...bcrypt, password: "nope" }) }),
        403,
        "invalid_grant",
        WRONG,
      );
    });
  });

  describe("connections (default directory and realms)", () => {
    it("grant_type=password uses the tenant default directory", async () => {
      const res = await aliceLogin();
      expectSuccess(res);
      expect(res.logs[0]).toMatchObject({
        connection: "Username-Password-Authentication",
        connection_id: t.fx.connections.database.connectionId,
        strategy: "auth0",
      });
      // Dana exists only in Employees and Customers, so the default directory does not know her.
      const dana = await post({ params: passwordParams(t.fx.clients.web, t.fx.users.danaEmployee) });
      expectOAuthError(dana, 403, "invalid_grant", WRONG);
      expect(dana.logs[0]).toMatchObject({ type: "fu", connection: "Username-Password-Authentication" });
    });

    it("the realm grant checks the password of the named realm only (same email in two realms)", async () => {
      const { danaEmployee: emp, danaCustomer: cust } = t.fx.users;
      const asEmployee = await post({ params: realmParams(t.fx.clients.web, emp, "Employees") });
      expectSuccess(asEmployee);
      expect(decodeJwt(str(asEmployee.body.access_token)).sub).toBe(emp.userId);
      expect(asEmployee.logs[0]).toMatchObject({
        connection: "Employees",
        connection_id: t.fx.connections.employees.connectionId,
        user_id: emp.userId,
      });

      const asCustomer = await post({ params: realmParams(t.fx.clients.web, cust, "Customers") });
      expectSuccess(asCustomer);
      expect(decodeJwt(str(asCustomer.body.access_token)).sub).toBe(cust.userId);

      const crossed1 = await post({ params: realmParams(t.fx.clients.web, cust, "Employees") });
      expectOAuthError(crossed1, 403, "invalid_grant", WRONG);
      expect(crossed1.logs[0]).toMatchObject({ type: "fp", user_id: emp.userId, connection: "Employees" });
      expectOAuthError(
        await post({ params: realmParams(t.fx.clients.web, emp, "Customers") }),
        403,
        "invalid_grant",
        WRONG,
      );
    });

    it("realm on grant_type=password is honoured (auth0-auth-js sends it)", async () => {
      const res = await post({
        params: passwordParams(t.fx.clients.web, t.fx.users.danaCustomer, { realm: "Customers" }),
      });
      expectSuccess(res);
      expect(decodeJwt(str(res.body.access_token)).sub).toBe(t.fx.users.danaCustomer.userId);
    });

    it("a realm connection not enabled for the client is refused, before any password check", async () => {
      const { partner } = t.fx.users;
      const verify = vi.spyOn(t.deps.hasher, "verify");
      try {
        const res = await post({ params: realmParams(t.fx.clients.web, partner, "Partners") });
        expectOAuthError(res, 400, "invalid_request");
        expect(res.logs[0]).toMatchObject({ type: "fepft", connection: "Partners" });
        expect(verify).not.toHaveBeenCalled();
      } finally {
        verify.mockRestore();
      }
      // The same credentials work through a client that has the connection enabled.
      const { basic } = t.fx.clients;
      const { client_secret: _s, ...rest } = realmParams(basic, partner, "Partners");
      expectSuccess(await post({ params: rest, basic: { id: basic.clientId, secret: basic.secret } }));
    });

    it("an unknown realm is refused with 400 invalid_request", async () => {
      expectOAuthError(
        await post({ params: realmParams(t.fx.clients.web, t.fx.users.alice, "No-Such-Realm") }),
        400,
        "invalid_request",
      );
    });

    it("no default directory and no realm: 500 server_error; realm logins keep working", async () => {
      await updateTenant(t.deps.db, { defaultDirectory: null }, t.deps.clock.now());
      t.deps.config.clear();
      try {
        const res = await aliceLogin();
        expectOAuthError(res, 500, "server_error", NO_DEFAULT);
        expect(res.logs[0]?.type).toBe("fepft");
        expectSuccess(
          await post({
            params: realmParams(t.fx.clients.web, t.fx.users.alice, "Username-Password-Authentication"),
          }),
        );
        // A default directory naming a connection that does not exist is the same misconfiguration.
        await updateTenant(t.deps.db, { defaultDirectory: "Deleted-Connection" }, t.deps.clock.now());
        t.deps.config.clear();
        expectOAuthError(await aliceLogin(), 500, "server_error", NO_DEFAULT);
      } finally {
        await updateTenant(
          t.deps.db,
          { defaultDirectory: "Username-Password-Authentication" },
          t.deps.clock.now(),
        );
        t.deps.config.clear();
      }
      expectSuccess(await aliceLogin());
    });
  });

  describe("audience and scope (§1.4)", () => {
    it("an API and no scope: every API scope is granted, no ID token, no refresh token", async () => {
      const { orders } = t.fx.apis;
      const res = await aliceLogin({ audience: orders.identifier });
      expectSuccess(res);
      expect(words(res.body.scope)).toEqual([...orders.scopes].sort());
      expect(res.body.id_token).toBeUndefined();
      expect(res.body.refresh_token).toBeUndefined();
      const at = await verifyRs256AccessToken(t.deps, str(res.body.access_token), {
        audience: orders.identifier,
      });
      expect(at.aud).toBe(orders.identifier);
      expect(words(at.scope)).toEqual([...orders.scopes].sort());
      expect(res.logs[0]).toMatchObject({ audience: orders.identifier, scope: str(res.body.scope) });
    });

    it("named API scopes: only those (unknown scopes dropped)", async () => {
      const { orders } = t.fx.apis;
      const res = await aliceLogin({ audience: orders.identifier, scope: "read:orders unknown:thing" });
      expectSuccess(res);
      expect(res.body.scope).toBe("read:orders");
      const at = await verifyRs256AccessToken(t.deps, str(res.body.access_token), {
        audience: orders.identifier,
      });
      expect(at.scope).toBe("read:orders");
    });

    it("openid only: all OIDC scopes, all API scopes, an ID token and the userinfo audience", async () => {
      const { orders } = t.fx.apis;
      const res = await aliceLogin({ audience: orders.identifier, scope: "openid" });
      expectSuccess(res);
      expect(words(res.body.scope)).toEqual([...OIDC, ...orders.scopes].sort());
      const at = await verifyRs256AccessToken(t.deps, str(res.body.access_token), {
        audience: orders.identifier,
      });
      expect(at.aud).toEqual([orders.identifier, t.fx.userinfo]);
      // The userinfo endpoint accepts the same token.
      await verifyRs256AccessToken(t.deps, str(res.body.access_token), { audience: t.fx.userinfo });
      const id = await validateIdTokenLikeNodeAuth0(t.deps, str(res.body.id_token), {
        clientId: t.fx.clients.web.clientId,
      });
      expect(id).toMatchObject({
        sub: t.fx.users.alice.userId,
        aud: t.fx.clients.web.clientId,
        name: "Alice Liddell",
        given_name: "Alice",
        family_name: "Liddell",
        nickname: "alice",
        email: "alice@example.com",
        email_verified: true,
      });
    });

    it("openid with an HS256 API: plain API audience, access token signed with the API secret", async () => {
      const { legacy } = t.fx.apis;
      const res = await aliceLogin({ audience: legacy.identifier, scope: "openid" });
      expectSuccess(res);
      const token = str(res.body.access_token);
      expect(decodeProtectedHeader(token).alg).toBe("HS256");
      const { payload } = await jwtVerify(token, new TextEncoder().encode(legacy.secret), {
        issuer: t.fx.issuer,
        audience: legacy.identifier,
        algorithms: ["HS256"],
        currentDate: t.deps.clock.now(),
      });
      expect(payload.aud).toBe(legacy.identifier);
      expect(payload.exp! - payload.iat!).toBe(legacy.tokenLifetime);
      expect(res.body.expires_in).toBe(legacy.tokenLifetime);
      await expect(verifyRs256AccessToken(t.deps, token, { audience: legacy.identifier })).rejects.toThrow();
    });

    it("no audience and no tenant default: a userinfo-only token", async () => {
      const res = await aliceLogin({ scope: "openid" });
      expectSuccess(res);
      expect(words(res.body.scope)).toEqual([...OIDC].sort());
      const at = await verifyRs256AccessToken(t.deps, str(res.body.access_token), {
        audience: t.fx.userinfo,
      });
      expect(at.aud).toBe(t.fx.userinfo);
    });

    it("no audience with a tenant Default Audience: that API", async () => {
      await updateTenant(t.deps.db, { defaultAudience: t.fx.apis.orders.identifier }, t.deps.clock.now());
      t.deps.config.clear();
      try {
        const res = await aliceLogin();
        expectSuccess(res);
        await verifyRs256AccessToken(t.deps, str(res.body.access_token), {
          audience: t.fx.apis.orders.identifier,
        });
        expect(words(res.body.scope)).toEqual([...t.fx.apis.orders.scopes].sort());
      } finally {
        await updateTenant(t.deps.db, { defaultAudience: null }, t.deps.clock.now());
        t.deps.config.clear();
      }
    });

    it("unknown audience: access_denied 'Service not found: <aud>'", async () => {
      const res = await aliceLogin({ audience: "https://nope.example/api" });
      expectOAuthError(res, 403, "access_denied", "Service not found: https://nope.example/api");
      expect(res.logs[0]).toMatchObject({ type: "fepft", audience: "https://nope.example/api" });
    });

    it("offline_access gives a refresh token with an offline API and a client holding refresh_token", async () => {
      const res = await aliceLogin({ audience: t.fx.apis.orders.identifier, scope: "openid offline_access" });
      expectSuccess(res);
      expect(typeof res.body.refresh_token).toBe("string");
      expect(str(res.body.refresh_token).length).toBeGreaterThanOrEqual(32);
      expect(words(res.body.scope)).toContain("offline_access");
    });

    it("offline_access is dropped when the API does not allow offline access", async () => {
      const res = await aliceLogin({ audience: t.fx.apis.reports.identifier, scope: "offline_access" });
      expectSuccess(res);
      expect(res.body.refresh_token).toBeUndefined();
      expect(res.body.scope).toBe("read:reports");
    });

    it("offline_access is dropped when the client lacks the refresh_token grant", async () => {
      const { basic } = t.fx.clients;
      const { client_secret: _s, ...rest } = passwordParams(basic, t.fx.users.alice, {
        audience: t.fx.apis.orders.identifier,
        scope: "offline_access",
      });
      const res = await post({ params: rest, basic: { id: basic.clientId, secret: basic.secret } });
      expectSuccess(res);
      expect(res.body.refresh_token).toBeUndefined();
      expect(words(res.body.scope)).not.toContain("offline_access");
    });

    it("offline_access without any audience gives no refresh token", async () => {
      const res = await aliceLogin({ scope: "openid offline_access" });
      expectSuccess(res);
      expect(res.body.refresh_token).toBeUndefined();
    });
  });

  describe("success response (§1.5) and token claims", () => {
    it("has the Auth0 body shape and no-store headers", async () => {
      const res = await aliceLogin({ audience: t.fx.apis.orders.identifier, scope: "openid offline_access" });
      expectSuccess(res);
      expect(Object.keys(res.body).sort()).toEqual([
        "access_token",
        "expires_in",
        "id_token",
        "refresh_token",
        "scope",
        "token_type",
      ]);
      expect(res.body.token_type).toBe("Bearer");
      expect(res.body.expires_in).toBe(t.fx.apis.orders.tokenLifetime);
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(res.headers.get("pragma")).toBe("no-cache");
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    });

    it("access token: iss with trailing slash, sub, aud, azp, iat, exp, scope, gty, kid in the JWKS", async () => {
      const now = Math.floor(t.deps.clock.now().getTime() / 1000);
      const { orders } = t.fx.apis;
      const res = await post({
        params: realmParams(t.fx.clients.web, t.fx.users.alice, "Username-Password-Authentication", {
          audience: orders.identifier,
          scope: "read:orders write:orders",
        }),
      });
      expectSuccess(res);
      const token = str(res.body.access_token);
      const header = decodeProtectedHeader(token);
      expect(header.alg).toBe("RS256");
      expect((await t.deps.keys.jwks()).keys.map((k) => k.kid)).toContain(header.kid);
      const at = await verifyRs256AccessToken(t.deps, token, { audience: orders.identifier });
      expect(t.fx.issuer).toBe("https://portcullis.test/");
      expect(at).toMatchObject({
        iss: "https://portcullis.test/",
        sub: t.fx.users.alice.userId,
        aud: orders.identifier,
        azp: t.fx.clients.web.clientId,
        iat: now,
        exp: now + orders.tokenLifetime,
        scope: "read:orders write:orders",
        gty: PASSWORD_GRANT,
      });
      // A token is not accepted by another API.
      await expect(
        verifyRs256AccessToken(t.deps, token, { audience: t.fx.apis.reports.identifier }),
      ).rejects.toThrow();
    });

    it("RS256 ID token passes node-auth0's validation and lasts the client's ID token lifetime", async () => {
      const res = await aliceLogin({ scope: "openid" });
      expectSuccess(res);
      const idToken = str(res.body.id_token);
      expect(decodeProtectedHeader(idToken).alg).toBe("RS256");
      const id = await validateIdTokenLikeNodeAuth0(t.deps, idToken, { clientId: t.fx.clients.web.clientId });
      expect(id.iss).toBe("https://portcullis.test/");
      expect(id.exp! - id.iat!).toBe(36000);
      // Another client's validator refuses it.
      await expect(
        validateIdTokenLikeNodeAuth0(t.deps, idToken, { clientId: t.fx.clients.spa.clientId }),
      ).rejects.toThrow(/aud/);
    });

    it("HS256 ID token client: signed with the client secret, validates as node-auth0 with idTokenSigningAlg HS256", async () => {
      const { hs256 } = t.fx.clients;
      const res = await post({ params: passwordParams(hs256, t.fx.users.alice, { scope: "openid" }) });
      expectSuccess(res);
      const idToken = str(res.body.id_token);
      expect(decodeProtectedHeader(idToken).alg).toBe("HS256");
      const id = await validateIdTokenLikeNodeAuth0(t.deps, idToken, {
        clientId: hs256.clientId,
        clientSecret: hs256.secret,
        idTokenSigningAlg: "HS256",
      });
      expect(id.exp! - id.iat!).toBe(600);
      await expect(
        validateIdTokenLikeNodeAuth0(t.deps, idToken, {
          clientId: hs256.clientId,
          clientSecret: t.fx.clients.web.secret,
          idTokenSigningAlg: "HS256",
        }),
      ).rejects.toThrow();
      // The access token is still RS256 (the client's ID token setting does not touch it).
      expect(decodeProtectedHeader(str(res.body.access_token)).alg).toBe("RS256");
    });

    it("a public client configured for HS256 still gets an RS256 ID token (it has no secret)", async () => {
      const res = await post({
        params: passwordParams(t.fx.clients.spa, t.fx.users.alice, { scope: "openid" }),
        encoding: "json",
      });
      expectSuccess(res);
      const idToken = str(res.body.id_token);
      expect(decodeProtectedHeader(idToken).alg).toBe("RS256");
      await validateIdTokenLikeNodeAuth0(t.deps, idToken, { clientId: t.fx.clients.spa.clientId });
      const jwks = createLocalJWKSet(await t.deps.keys.jwks());
      await jwtVerify(idToken, jwks, {
        issuer: t.fx.issuer,
        audience: t.fx.clients.spa.clientId,
        currentDate: t.deps.clock.now(),
      });
    });
  });

  describe("audit records", () => {
    it("success: exactly one sepft with client, connection, user, IPs, user agent, audience and scope", async () => {
      const { web } = t.fx.clients;
      const res = await post({
        params: passwordParams(web, t.fx.users.alice, {
          audience: t.fx.apis.orders.identifier,
          scope: "read:orders",
        }),
        socketIp: "192.0.2.44",
        userAgent: "Mozilla/5.0 (Audit Test)",
      });
      expectSuccess(res);
      expect(res.logs[0]).toMatchObject({
        type: "sepft",
        client_id: web.clientId,
        client_name: web.name,
        connection: "Username-Password-Authentication",
        connection_id: t.fx.connections.database.connectionId,
        user_id: t.fx.users.alice.userId,
        user_name: t.fx.users.alice.email,
        ip: "192.0.2.44",
        client_ip: "192.0.2.44",
        user_agent: "Mozilla/5.0 (Audit Test)",
        audience: t.fx.apis.orders.identifier,
        scope: "read:orders",
        date: t.deps.clock.now().toISOString(),
      });
      expect(res.logs[0]?.details).toMatchObject({ grant_type: PASSWORD_GRANT });
    });

    it("fp, fu and fepft records carry client, connection, user name and both IPs", async () => {
      const { web } = t.fx.clients;
      const fp = await post({ params: passwordParams(web, { ...t.fx.users.alice, password: "bad" }) });
      const fu = await post({ params: passwordParams(web, { email: "who@example.com", password: "bad" }) });
      const fepft = await post({
        params: passwordParams(web, t.fx.users.alice, { audience: "urn:missing" }),
      });
      const common = {
        client_id: web.clientId,
        client_name: web.name,
        connection: "Username-Password-Authentication",
        ip: DEFAULT_SOCKET_IP,
        client_ip: DEFAULT_SOCKET_IP,
        user_agent: DEFAULT_USER_AGENT,
      };
      expect(fp.logs).toEqual([
        expect.objectContaining({
          ...common,
          type: "fp",
          user_id: t.fx.users.alice.userId,
          user_name: t.fx.users.alice.email,
        }),
      ]);
      expect(fu.logs).toEqual([
        expect.objectContaining({ ...common, type: "fu", user_name: "who@example.com" }),
      ]);
      expect(fepft.logs).toEqual([
        expect.objectContaining({ ...common, type: "fepft", description: "Service not found: urn:missing" }),
      ]);
      expect(fp.logs[0]?.details).toMatchObject({ error: { message: WRONG } });
    });

    it("logins_count, last_login and last_ip change on success only", async () => {
      const user = await createFixtureUser(t.deps, t.fx, {
        connection: "database",
        password: "count-me-in-42",
      });
      const read = () => storedUser(t.deps, user.userId);
      expect((await read()).loginsCount).toBe(0);

      t.deps.clock.advance(1000);
      expectSuccess(await post({ params: passwordParams(t.fx.clients.web, user), socketIp: "192.0.2.1" }));
      const first = await read();
      expect(first.loginsCount).toBe(1);
      expect(first.lastLogin?.toISOString()).toBe(t.deps.clock.now().toISOString());
      expect(first.lastIp).toBe("192.0.2.1");

      t.deps.clock.advance(60_000);
      expectOAuthError(
        await post({
          params: passwordParams(t.fx.clients.web, { ...user, password: "nope" }),
          socketIp: "192.0.2.99",
        }),
        403,
        "invalid_grant",
      );
      const unchanged = await read();
      expect(unchanged.loginsCount).toBe(1);
      expect(unchanged.lastIp).toBe("192.0.2.1");

      expectSuccess(await post({ params: passwordParams(t.fx.clients.spa, user), socketIp: "2001:db8::7" }));
      const second = await read();
      expect(second.loginsCount).toBe(2);
      expect(second.lastLogin?.toISOString()).toBe(t.deps.clock.now().toISOString());
      expect(second.lastIp).toBe("2001:db8::7");
    });

    it("concurrent logins of one user are all counted", async () => {
      const user = await createFixtureUser(t.deps, t.fx, {
        connection: "database",
        password: "parallel-logins-ok",
      });
      const results = await Promise.all(
        Array.from({ length: 5 }, () => post({ params: passwordParams(t.fx.clients.web, user) })),
      );
      // Requests overlap, so each one's "new audit rows" include its neighbours'; check the total instead.
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      expect(await countLogRows(t.deps, { userId: user.userId, type: "sepft" })).toBe(5);
      const row = await storedUser(t.deps, user.userId);
      expect(row.loginsCount).toBe(5);
    });
  });

  describe("auth0-forwarded-for", () => {
    const socketIp = "10.1.2.3";

    it("is honoured for a secret-authenticated client that trusts it: ip = forwarded, client_ip = socket", async () => {
      const user = await createFixtureUser(t.deps, t.fx, {
        connection: "database",
        password: "forwarded-ok-1",
      });
      const res = await post({
        params: passwordParams(t.fx.clients.web, user),
        headers: { "auth0-forwarded-for": "203.0.113.7" },
        socketIp,
      });
      expectSuccess(res);
      expect(res.logs[0]).toMatchObject({ ip: "203.0.113.7", client_ip: socketIp });
      const row = await storedUser(t.deps, user.userId);
      expect(row.lastIp).toBe("203.0.113.7");
    });

    it("also on failures (attack protection keys on the end user), and IPv6 is valid", async () => {
      const res = await post({
        params: passwordParams(t.fx.clients.web, { ...t.fx.users.alice, password: "bad" }),
        headers: { "auth0-forwarded-for": "2001:db8::42" },
        socketIp,
      });
      expectOAuthError(res, 403, "invalid_grant", WRONG);
      expect(res.logs[0]).toMatchObject({ type: "fp", ip: "2001:db8::42", client_ip: socketIp });
    });

    it.each(["not-an-ip", "203.0.113.7, 10.0.0.1", "999.1.1.1", ""])(
      "is ignored when not a valid IP (%j)",
      async (value) => {
        const res = await post({
          params: passwordParams(t.fx.clients.web, t.fx.users.alice),
          headers: { "auth0-forwarded-for": value },
          socketIp,
        });
        expectSuccess(res);
        expect(res.logs[0]).toMatchObject({ ip: socketIp, client_ip: socketIp });
      },
    );

    it("is ignored for a secret-authenticated client that does not trust it", async () => {
      const { basic } = t.fx.clients;
      const { client_secret: _s, ...rest } = passwordParams(basic, t.fx.users.alice);
      const res = await post({
        params: rest,
        basic: { id: basic.clientId, secret: basic.secret },
        headers: { "auth0-forwarded-for": "203.0.113.8" },
        socketIp,
      });
      expectSuccess(res);
      expect(res.logs[0]).toMatchObject({ ip: socketIp, client_ip: socketIp });
    });

    it("is ignored for a public client even when its trust flag is set", async () => {
      const user = await createFixtureUser(t.deps, t.fx, {
        connection: "database",
        password: "forwarded-public-2",
      });
      const res = await post({
        params: passwordParams(t.fx.clients.spa, user),
        headers: { "auth0-forwarded-for": "203.0.113.9" },
        socketIp,
      });
      expectSuccess(res);
      expect(res.logs[0]).toMatchObject({ ip: socketIp, client_ip: socketIp });
      const row = await storedUser(t.deps, user.userId);
      expect(row.lastIp).toBe(socketIp);
    });

    it("is ignored when client authentication fails", async () => {
      const res = await post({
        params: passwordParams({ ...t.fx.clients.web, secret: "wrong" }, t.fx.users.alice),
        headers: { "auth0-forwarded-for": "203.0.113.10" },
        socketIp,
      });
      expectOAuthError(res, 401, "access_denied", "Unauthorized");
      expect(res.logs[0]).toMatchObject({ ip: socketIp, client_ip: socketIp });
    });
  });

  // Runs last in this file: every request above has written its audit rows by now.
  describe("secrets never reach the audit log", () => {
    it("no password, client secret, API secret or issued token appears in any stored log row", async () => {
      const rows = await serializedAuditRows(t.deps);
      expect(rows.length).toBeGreaterThan(1000);
      const leaked = [...t.fx.secrets, ...issuedSecrets].filter((s) => s.length >= 6 && rows.includes(s));
      expect(leaked).toEqual([]);
      // Nor their URL-encoded or JSON-escaped forms.
      const encoded = t.fx.secrets
        .flatMap((s) => [encodeURIComponent(s), JSON.stringify(s).slice(1, -1)])
        .filter((s) => rows.includes(s));
      expect(encoded).toEqual([]);
    });
  });
});
