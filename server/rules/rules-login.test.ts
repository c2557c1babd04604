import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { createFixtureUser, seedFixture, type TFixture, type TFixtureUser } from "../testing/fixtures.ts";
import {
  DEFAULT_SOCKET_IP,
  DEFAULT_USER_AGENT,
  REALM_GRANT,
  callToken,
  realmParams,
} from "../testing/token-calls.ts";
import { serializedAuditRows } from "../testing/stored-rows.ts";
import { setRuleSetting } from "../admin/rules/rule-settings.ts";
import { setRulesNetwork } from "../admin/rules/rules-network.ts";
import { updateRule } from "../admin/rules/update-rule.ts";
import { findUserByUserId, updateUserProfile } from "../store/users.ts";
import { REDIRECT_UNAVAILABLE, RULE_FAILED } from "./outcomes.ts";
import { MFA_GRANT_MISSING } from "../mfa/require-mfa.ts";
import {
  RULES_TEST_ENV,
  TEST_RULES_ADMIN,
  addRules,
  resetRules,
  rulesAudit,
  tokenClaims,
} from "../testing/rules.ts";
import { updateClient } from "../store/clients.ts";
import { createHttpServer } from "../http/serve.ts";
import { findRuleByName, insertRule, setRuleOrders } from "../store/rules.ts";
import { findRuleSettingSealed } from "../store/rule-settings.ts";

const NS = "https://portcullis.test/";
/** A rule that copies what it saw into the ID token, to check the objects rules get. */
const ECHO = `function (user, context, callback) {
  context.idToken['${NS}user'] = JSON.parse(JSON.stringify(user));
  context.idToken['${NS}context'] = JSON.parse(JSON.stringify(context));
  callback(null, user, context);
}`;

describe.each(testDatabaseKinds())("rules on password and refresh logins (%s)", (kind) => {
  let deps: TTestDeps;
  let fx: TFixture;
  let user: TFixtureUser;

  beforeAll(async () => {
    deps = await createTestDeps(kind, RULES_TEST_ENV);
    fx = await seedFixture(deps);
    await updateClient(
      deps.db,
      fx.clients.web.clientId,
      { clientMetadata: { tier: "gold" } },
      deps.clock.now(),
    );
    deps.config.clear();
    user = await createFixtureUser(deps, fx, {
      connection: "employees",
      password: "rules-user-password-1",
      email: "rita@acme.test",
      username: "rita",
      profile: { name: "Rita Rules", givenName: "Rita", familyName: "Rules", emailVerified: true },
    });
  });
  afterAll(async () => {
    await deps?.cleanup();
  });
  beforeEach(async () => {
    await resetRules(deps);
  });

  const login = (extra: Record<string, string> = {}, who: TFixtureUser = user) =>
    callToken(deps, {
      params: realmParams(fx.clients.web, who, who.connection, {
        audience: fx.apis.orders.identifier,
        scope: "openid profile email offline_access",
        ...extra,
      }),
    });

  it("without rules, logins are unchanged and the audit record lists no rules", async () => {
    const res = await login();
    expect(res.status).toBe(200);
    expect(res.logs[0]?.details?.rules).toBeUndefined();
  });

  it("gives rules the request's query string as context.request.query, without secrets, through both entry points", async () => {
    await addRules(deps, { name: "echo", script: ECHO });
    const query = "ui_locales=fr&tag=a&tag=b&password=in-the-url&client_secret=also-in-the-url";
    const queryOf = (claims: Record<string, unknown>) =>
      (claims[`${NS}context`] as { request: { query: unknown } }).request.query;
    // The Next.js route's way in (a web Request).
    const viaRoute = await callToken(deps, {
      query,
      params: realmParams(fx.clients.web, user, user.connection, { scope: "openid" }),
    });
    expect(viaRoute.status).toBe(200);
    expect(queryOf(tokenClaims(viaRoute).id)).toEqual({ ui_locales: "fr", tag: ["a", "b"] });
    // Our HTTP server's way in (node's request, what `npm start` serves).
    const server = createHttpServer(deps, async (_req, res) => void res.writeHead(404).end());
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    try {
      const res = await fetch(
        `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token?${query}`,
        {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams(realmParams(fx.clients.web, user, user.connection, { scope: "openid" })),
        },
      );
      expect(res.status).toBe(200);
      const { id_token } = (await res.json()) as { id_token: string };
      const claims = JSON.parse(Buffer.from(id_token.split(".")[1]!, "base64url").toString()) as Record<
        string,
        unknown
      >;
      expect(queryOf(claims)).toEqual({ ui_locales: "fr", tag: ["a", "b"] });
    } finally {
      await new Promise((ok) => server.close(ok));
    }
  });

  it("gives rules the Auth0 context fields, with the password and client secret stripped from the request body", async () => {
    await addRules(deps, { name: "echo", script: ECHO });
    const res = await login();
    const ctx = tokenClaims(res).id[`${NS}context`] as Record<string, unknown>;
    expect(ctx).toMatchObject({
      tenant: "Acme",
      clientID: fx.clients.web.clientId,
      clientName: "Acme Web",
      clientMetadata: { tier: "gold" },
      connection: "Employees",
      connectionID: fx.connections.employees.connectionId,
      connectionStrategy: "auth0",
      protocol: "oauth2-password",
      request: {
        ip: DEFAULT_SOCKET_IP,
        userAgent: DEFAULT_USER_AGENT,
        query: {},
        body: {
          grant_type: REALM_GRANT,
          client_id: fx.clients.web.clientId,
          username: user.email,
          realm: "Employees",
          audience: fx.apis.orders.identifier,
          scope: "openid profile email offline_access",
        },
      },
      stats: { loginsCount: expect.any(Number) },
      authentication: { methods: [{ name: "pwd", timestamp: deps.clock.now().getTime() }] },
      authorization: { roles: [] },
    });
    expect(typeof ctx.sessionID).toBe("string");
    const body = JSON.stringify((ctx.request as Record<string, unknown>).body);
    expect(body).not.toContain(user.password);
    expect(body).not.toContain(fx.clients.web.secret);
  });

  it("counts this login in context.stats.loginsCount", async () => {
    await addRules(deps, { name: "echo", script: ECHO });
    const first = tokenClaims(await login()).id[`${NS}context`] as { stats: { loginsCount: number } };
    const second = tokenClaims(await login()).id[`${NS}context`] as { stats: { loginsCount: number } };
    expect(second.stats.loginsCount).toBe(first.stats.loginsCount + 1);
    const row = await findUserByUserId(deps.db, user.userId);
    expect(row?.loginsCount).toBe(second.stats.loginsCount);
  });

  it("gives rules the Auth0 user fields", async () => {
    await addRules(deps, { name: "echo", script: ECHO });
    const u = tokenClaims(await login()).id[`${NS}user`] as Record<string, unknown>;
    expect(u).toMatchObject({
      user_id: user.userId,
      email: "rita@acme.test",
      email_verified: true,
      username: "rita",
      name: "Rita Rules",
      nickname: "rita",
      given_name: "Rita",
      family_name: "Rules",
      blocked: false,
      identities: [
        { connection: "Employees", provider: "auth0", isSocial: false, user_id: user.userId.split("|")[1] },
      ],
      app_metadata: {},
      user_metadata: {},
      multifactor: [],
      permissions: [],
    });
    expect(new Date(String(u.created_at)).getTime()).not.toBeNaN();
    expect(typeof u.logins_count).toBe("number");
  });

  it("adds namespaced claims to both tokens, drops reserved ones and records the drop", async () => {
    await addRules(deps, {
      name: "claims",
      script: `function (user, context, callback) {
        context.idToken['${NS}email'] = user.email;
        context.accessToken['${NS}roles'] = ['admin', 'ops'];
        context.accessToken.plain = 'non-namespaced claims are allowed';
        context.accessToken.sub = 'someone-else';
        context.idToken.iss = 'https://evil.example/';
        context.idToken['https://tenant.auth0.com/x'] = 'auth0 namespace';
        callback(null, user, context);
      }`,
    });
    const res = await login();
    const { id, access } = tokenClaims(res);
    expect(id[`${NS}email`]).toBe(user.email);
    expect(access[`${NS}roles`]).toEqual(["admin", "ops"]);
    expect(access.plain).toBe("non-namespaced claims are allowed");
    expect(access.sub).toBe(user.userId);
    expect(id.iss).toBe(fx.issuer);
    expect(id["https://tenant.auth0.com/x"]).toBeUndefined();
    expect(rulesAudit(res).dropped_claims?.sort()).toEqual(
      ["access_token.sub", "id_token.iss", "id_token.https://tenant.auth0.com/x"].sort(),
    );
  });

  it("replaces the access token's scopes with context.accessToken.scope, and the refresh token keeps working", async () => {
    await addRules(deps, {
      name: "narrow",
      script: `function (user, context, callback) {
        context.accessToken.scope = ['openid', 'read:orders'];
        callback(null, user, context);
      }`,
    });
    const res = await login();
    expect(res.body.scope).toBe("openid read:orders");
    expect(tokenClaims(res).access.scope).toBe("openid read:orders");
    expect(res.logs[0]?.scope).toBe("openid read:orders");
    expect(typeof res.body.refresh_token).toBe("string");
    const refreshed = await callToken(deps, {
      params: {
        grant_type: "refresh_token",
        client_id: fx.clients.web.clientId,
        client_secret: fx.clients.web.secret,
        refresh_token: String(res.body.refresh_token),
      },
    });
    expect(refreshed.body.scope).toBe("openid read:orders");
  });

  it("runs rules on refresh-token exchanges with protocol oauth2-refresh-token, and a rule can refuse a refresh", async () => {
    const initial = await login();
    await addRules(deps, {
      name: "refresh-guard",
      script: `function (user, context, callback) {
        if (context.protocol === 'oauth2-refresh-token' && user.email === '${user.email}') {
          return callback(new UnauthorizedError('refresh not allowed for ' + context.protocol));
        }
        callback(null, user, context);
      }`,
    });
    const refreshed = await callToken(deps, {
      params: {
        grant_type: "refresh_token",
        client_id: fx.clients.web.clientId,
        client_secret: fx.clients.web.secret,
        refresh_token: String(initial.body.refresh_token),
      },
    });
    expect(refreshed.status).toBe(401);
    expect(refreshed.body).toEqual({
      error: "unauthorized",
      error_description: "refresh not allowed for oauth2-refresh-token",
    });
    expect(refreshed.logs[0]?.type).toBe("fertft");
    expect(rulesAudit(refreshed).error?.rule).toBe("refresh-guard");
  });

  it("maps UnauthorizedError to 401 unauthorized and other errors to 403 access_denied, with the rule's message", async () => {
    const [rule] = await addRules(deps, {
      name: "deny",
      script: `function (user, context, callback) { callback(new UnauthorizedError('Access denied by policy.')); }`,
    });
    let res = await login();
    expect({ status: res.status, body: res.body }).toEqual({
      status: 401,
      body: { error: "unauthorized", error_description: "Access denied by policy." },
    });
    expect(res.logs[0]).toMatchObject({ type: "fepft", user_id: user.userId });
    expect(rulesAudit(res).error).toEqual({
      rule: "deny",
      kind: "unauthorized",
      reason: "Access denied by policy.",
    });

    await updateRule(deps, TEST_RULES_ADMIN, rule!.id, {
      script: `function (user, context, callback) { callback(new Error('Only employees on shift.')); }`,
    });
    res = await login();
    expect({ status: res.status, body: res.body }).toEqual({
      status: 403,
      body: { error: "access_denied", error_description: "Only employees on shift." },
    });

    await updateRule(deps, TEST_RULES_ADMIN, rule!.id, {
      script: `function (user, context, callback) { callback('a plain string'); }`,
    });
    res = await login();
    expect(res.body).toEqual({ error: "access_denied", error_description: "a plain string" });

    await updateRule(deps, TEST_RULES_ADMIN, rule!.id, {
      script: `function (user, context, callback) { throw new TypeError('boom in rule'); }`,
    });
    res = await login();
    expect(res.body).toEqual({ error: "access_denied", error_description: "boom in rule" });
  });

  it("persists auth0.users.updateAppMetadata/updateUserMetadata (null deletes a key), also when a later rule denies", async () => {
    const subject = await createFixtureUser(deps, fx, {
      connection: "employees",
      password: "metadata-pass-1",
    });
    await updateUserProfile(
      deps.db,
      subject.id,
      { appMetadata: { plan: "free", stale: true }, userMetadata: {} },
      deps.clock.now(),
    );
    const [, denier] = await addRules(
      deps,
      {
        name: "save-metadata",
        script: `function (user, context, callback) {
          user.app_metadata = user.app_metadata || {};
          auth0.users.updateAppMetadata(user.user_id, { plan: 'pro', stale: null, roles: ['admin'] })
            .then(function (updated) {
              context.idToken['${NS}plan'] = updated.app_metadata.plan;
              return auth0.users.updateUserMetadata(user.user_id, { theme: 'dark' });
            })
            .then(function () { callback(null, user, context); })
            .catch(function (err) { callback(err); });
        }`,
      },
      {
        name: "deny-later",
        enabled: false,
        script: `function (user, context, callback) { callback(new Error('denied after saving')); }`,
      },
    );
    const res = await login({}, subject);
    expect(tokenClaims(res).id[`${NS}plan`]).toBe("pro");
    let row = await findUserByUserId(deps.db, subject.userId);
    expect(row?.appMetadata).toEqual({ plan: "pro", roles: ["admin"] });
    expect(row?.userMetadata).toEqual({ theme: "dark" });

    await updateUserProfile(deps.db, subject.id, { userMetadata: {} }, deps.clock.now());
    await updateRule(deps, TEST_RULES_ADMIN, denier!.id, { enabled: true });
    const denied = await login({}, subject);
    expect(denied.status).toBe(403);
    row = await findUserByUserId(deps.db, subject.userId);
    expect(row?.userMetadata).toEqual({ theme: "dark" });
  });

  it("refuses metadata updates for another user", async () => {
    await addRules(deps, {
      name: "other-user",
      script: `function (user, context, callback) {
        auth0.users.updateAppMetadata('${fx.users.alice.userId}', { hacked: true })
          .then(function () { callback(null, user, context); }, callback);
      }`,
    });
    const res = await login();
    expect(res.body).toEqual({
      error: "access_denied",
      error_description: "Rules may update only the metadata of the user who is logging in",
    });
    expect((await findUserByUserId(deps.db, fx.users.alice.userId))?.appMetadata).toEqual({});
  });

  it("exposes rule settings as configuration, sealed at rest and never in the audit log", async () => {
    const secret = "s3cr3t-api-key-value-0001";
    await setRuleSetting(deps, TEST_RULES_ADMIN, "API_KEY", { value: secret });
    await addRules(deps, {
      name: "uses-config",
      script: `function (user, context, callback) {
        if (configuration.API_KEY !== '${secret}') return callback(new Error('wrong config'));
        callback(new Error('leaking ' + configuration.API_KEY));
      }`,
    });
    const res = await login();
    expect(res.status).toBe(403);
    expect(rulesAudit(res).error?.reason).toBe("leaking [redacted]");
    const stored = await findRuleSettingSealed(deps.db, "API_KEY");
    expect(stored).not.toBeNull();
    expect(stored).not.toContain(secret);
    expect(await serializedAuditRows(deps)).not.toContain(secret);
  });

  it("lets rules require lodash and ipaddr.js (with or without a version pin), and nothing else", async () => {
    await addRules(deps, {
      name: "modules",
      script: `function (user, context, callback) {
        var _ = require('lodash@4.17.21');
        var ipaddr = require('ipaddr.js');
        var range = ipaddr.parseCIDR('198.51.100.0/24');
        context.idToken['${NS}inside'] = ipaddr.parse(context.request.ip).match(range);
        context.idToken['${NS}chunks'] = _.chunk([1, 2, 3], 2);
        var refused;
        try { require('child_process'); } catch (e) { refused = e.message; }
        context.idToken['${NS}refused'] = refused;
        callback(null, user, context);
      }`,
    });
    const { id } = tokenClaims(await login());
    expect(id[`${NS}inside`]).toBe(true);
    expect(id[`${NS}chunks`]).toEqual([[1, 2], [3]]);
    expect(id[`${NS}refused`]).toMatch(/^Cannot find module 'child_process'/);
  });

  it("runs enabled rules in ascending order, each seeing the previous rule's user and context; disabled rules never run", async () => {
    const [, , third] = await addRules(
      deps,
      {
        name: "second",
        script: `function (user, context, callback) { context.idToken['${NS}trail'] += '>second'; callback(null, user, context); }`,
      },
      {
        name: "first",
        script: `function (user, context, callback) { user.stage = 'first'; context.idToken['${NS}trail'] = 'first'; callback(null, user, context); }`,
      },
      {
        name: "disabled",
        enabled: false,
        script: `function (user, context, callback) { callback(new Error('disabled rule ran')); }`,
      },
    );
    await setRuleOrders(
      deps.db,
      [{ id: (await findRuleByName(deps.db, "first"))!.id, order: 0 }],
      deps.clock.now(),
    );
    deps.rules.clear();
    const res = await login();
    expect(tokenClaims(res).id[`${NS}trail`]).toBe("first>second");
    expect(rulesAudit(res).ran.map((r) => r.name)).toEqual(["first", "second"]);
    expect(rulesAudit(res).ran.every((r) => r.outcome === "ok" && r.duration_ms >= 0)).toBe(true);
    expect(third?.enabled).toBe(false);
  });

  it("refuses context.redirect on password grants with Auth0's text and names the rule in the audit record", async () => {
    await addRules(deps, {
      name: "consent-redirect",
      script: `function (user, context, callback) {
        context.redirect = { url: 'https://consent.example/' };
        callback(null, user, context);
      }`,
    });
    const res = await login();
    expect({ status: res.status, body: res.body }).toEqual({
      status: 403,
      body: { error: "access_denied", error_description: REDIRECT_UNAVAILABLE },
    });
    expect(rulesAudit(res).error).toMatchObject({ rule: "consent-redirect", kind: "redirect" });
    expect(res.body.redirect).toBeUndefined();
  });

  it("a login that a rule marks as needing MFA needs MFA (refused: this client lacks the MFA grants)", async () => {
    await addRules(deps, {
      name: "require-mfa",
      script: `function (user, context, callback) {
        context.multifactor = { provider: 'any', allowRememberBrowser: false };
        callback(null, user, context);
      }`,
    });
    const res = await login();
    expect(res.body).toEqual({ error: "unauthorized_client", error_description: MFA_GRANT_MISSING });
    expect(rulesAudit(res).multifactor).toMatchObject({ rule: "require-mfa" });
  });

  it("fails closed with a generic description on a syntax error; the audit record names the rule and the reason", async () => {
    await addRules(deps, { name: "fine", script: `function (u, c, cb) { cb(null, u, c); }` });
    // Stored directly: the admin API refuses a script that does not compile.
    await insertRule(
      deps.db,
      {
        id: "rul_broken",
        name: "broken",
        script: "function (u, c, cb) { if ( }",
        order: 99,
        enabled: true,
        stage: "login_success",
      },
      null,
      deps.clock.now(),
    );
    deps.rules.clear();
    const res = await login();
    expect({ status: res.status, body: res.body }).toEqual({
      status: 403,
      body: { error: "access_denied", error_description: RULE_FAILED },
    });
    expect(rulesAudit(res).error).toMatchObject({ rule: "broken", kind: "syntax" });
    expect(rulesAudit(res).error?.reason).toMatch(/Unexpected token/);
  });

  describe("fetch", () => {
    let server: Server;
    let host: string;
    beforeAll(async () => {
      server = createServer((req, res) => {
        if (req.url === "/big") {
          res.end("x".repeat(2 * 1024 * 1024));
          return;
        }
        if (req.url === "/redirect") {
          res.writeHead(302, { location: "http://example.com/" });
          res.end();
          return;
        }
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ groups: ["staff"], method: req.method }));
      });
      await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
      host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise((ok) => server.close(ok));
    });

    const fetchRule = (path: string) => ({
      name: "fetch-groups",
      script: `async function (user, context, callback) {
        try {
          const res = await fetch('http://${"${HOST}"}${path}', { method: 'POST', body: '{}' });
          context.idToken['${NS}status'] = res.status;
          context.idToken['${NS}groups'] = res.status === 200 ? (await res.json()).groups : null;
          callback(null, user, context);
        } catch (e) { callback(e); }
      }`,
    });

    it("is off by default", async () => {
      const r = fetchRule("/groups");
      await addRules(deps, { ...r, script: r.script.replace("${HOST}", host) });
      const res = await login();
      expect(res.body).toEqual({
        error: "access_denied",
        error_description: "fetch is disabled: an administrator must allow the host first",
      });
    });

    it("reaches allowlisted hosts only, and does not follow redirects off the allowlist", async () => {
      await setRulesNetwork(deps, TEST_RULES_ADMIN, { allowed_hosts: [host] });
      const r = fetchRule("/groups");
      const [rule] = await addRules(deps, { ...r, script: r.script.replace("${HOST}", host) });
      let res = await login();
      expect(tokenClaims(res).id[`${NS}groups`]).toEqual(["staff"]);

      await updateRule(deps, TEST_RULES_ADMIN, rule!.id, {
        script: fetchRule("/redirect").script.replace("${HOST}", host),
      });
      res = await login();
      expect(tokenClaims(res).id[`${NS}status`]).toBe(302);

      await updateRule(deps, TEST_RULES_ADMIN, rule!.id, {
        script: fetchRule("/").script.replace("${HOST}", "localhost:1"),
      });
      res = await login();
      expect(res.body.error_description).toBe("fetch: localhost:1 is not on the rules network allowlist");
    });

    it("caps the response size", async () => {
      await setRulesNetwork(deps, TEST_RULES_ADMIN, { allowed_hosts: [host] });
      const r = fetchRule("/big");
      await addRules(deps, { ...r, script: r.script.replace("${HOST}", host) });
      const res = await login();
      expect(res.body.error_description).toBe("fetch: the response is larger than 1048576 bytes");
    });
  });
});
