import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AuthenticationClient, AuthApiError } from "auth0";
import { createTestDeps, type TTestDeps } from "../../testing/test-deps.ts";
import { seedFixture, type TFixture } from "../../testing/fixtures.ts";
import { createAppRouteHandler } from "../../testing/app-routes.ts";
import { createHttpServer } from "../../http/serve.ts";
import { setDeps } from "../../config/deps.ts";
import { findUserByUserId } from "../../store/users.ts";
import type { TMessage } from "../../notifications/notifier.ts";

// node-auth0 (the `auth0` package, 4.x), unchanged, against a running Portcullis: AuthenticationClient's
// database.signUp and database.changePassword, and oauth.revokeRefreshToken. Its base URL is always https://<domain>; a fetch that sends the
// same request to our loopback server stands in for DNS and TLS.

describe("node-auth0 AuthenticationClient against a running server", () => {
  let deps: TTestDeps;
  let fx: TFixture;
  let server: Server;
  let auth0: AuthenticationClient;
  let baseUrl = "";
  const sent: TMessage[] = [];

  beforeAll(async () => {
    deps = await createTestDeps("sqlite");
    fx = await seedFixture(deps);
    setDeps(deps);
    const notify = deps.notifier.notify.bind(deps.notifier);
    vi.spyOn(deps.notifier, "notify").mockImplementation(async (m, key, windowMs) => {
      sent.push(m);
      return notify(m, key, windowMs);
    });
    server = createHttpServer(deps, createAppRouteHandler());
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    baseUrl = base;
    auth0 = new AuthenticationClient({
      domain: "portcullis.test",
      clientId: fx.clients.spa.clientId,
      fetch: (url: RequestInfo | URL, init?: RequestInit) =>
        fetch(String(url).replace("https://portcullis.test", base), init),
    });
  });
  afterAll(async () => {
    await new Promise<void>((ok) => server.close(() => ok()));
    await deps.cleanup();
  });

  it("signs a user up (database.signUp) and answers a taken email with user_exists", async () => {
    const email = `sdk-${Date.now()}@example.com`;
    const res = await auth0.database.signUp({
      email,
      password: "sdk-password-1",
      connection: fx.connections.database.name,
      given_name: "Ada",
      user_metadata: { plan: "gold" },
    });
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({
      email,
      email_verified: false,
      given_name: "Ada",
      user_metadata: { plan: "gold" },
    });
    expect(res.data.id).toMatch(/^[0-9a-f]{24}$/);
    expect(await findUserByUserId(deps.db, `auth0|${res.data.id}`)).toMatchObject({
      email,
      givenName: "Ada",
    });

    const again = auth0.database.signUp({
      email,
      password: "sdk-password-2",
      connection: fx.connections.database.name,
    });
    await expect(again).rejects.toBeInstanceOf(AuthApiError);
    await expect(again).rejects.toMatchObject({
      error: "user_exists",
      error_description: "The user already exists.",
      statusCode: 400,
    });
  });

  it("asks for a reset mail (database.changePassword) and gets Auth0's sentence, known email or not", async () => {
    const email = `sdk-reset-${Date.now()}@example.com`;
    await auth0.database.signUp({
      email,
      password: "sdk-password-1",
      connection: fx.connections.database.name,
    });
    sent.length = 0;
    for (const who of [email, `nobody-${Date.now()}@example.com`]) {
      const res = await auth0.database.changePassword({
        email: who,
        connection: fx.connections.database.name,
      });
      expect({ status: res.status, data: res.data }).toEqual({
        status: 200,
        data: "We've just sent you an email to reset your password.",
      });
    }
    expect(sent.map((m) => [m.kind, m.to])).toEqual([["password_reset", email]]);
  });

  it("revokes a refresh token (oauth.revokeRefreshToken): the token then fails, and an unknown token is also 200", async () => {
    const web = new AuthenticationClient({
      domain: "portcullis.test",
      clientId: fx.clients.web.clientId,
      clientSecret: String(fx.clients.web.secret),
      fetch: (url: RequestInfo | URL, init?: RequestInit) =>
        fetch(String(url).replace("https://portcullis.test", baseUrl), init),
    });
    const login = await web.oauth.passwordGrant({
      username: fx.users.alice.email,
      password: fx.users.alice.password,
      // No openid: node-auth0 would fetch the JWKS from https://<domain> itself to check an ID token, past our fetch.
      scope: "offline_access",
      audience: fx.apis.orders.identifier,
    });
    const refreshToken = String(login.data.refresh_token);
    expect(refreshToken.length).toBeGreaterThan(20);
    const revoked = await web.oauth.revokeRefreshToken({ token: refreshToken });
    expect(revoked.status).toBe(200);
    await expect(web.oauth.refreshTokenGrant({ refresh_token: refreshToken })).rejects.toMatchObject({
      error: "invalid_grant",
    });
    expect((await web.oauth.revokeRefreshToken({ token: "not-a-token-we-issued" })).status).toBe(200);
  });
});
