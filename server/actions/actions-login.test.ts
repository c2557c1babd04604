import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { generate } from "otplib";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { createFixtureUser, seedFixture, type TFixture, type TFixtureUser } from "../testing/fixtures.ts";
import { callToken, realmParams } from "../testing/token-calls.ts";
import { RULES_TEST_ENV, addRules, resetRules, tokenClaims } from "../testing/rules.ts";
import { actionsAudit, bindActions, resetActions } from "../testing/actions.ts";
import { findUserByUserId } from "../store/users.ts";
import { updateClient } from "../store/clients.ts";
import { updateTenant } from "../store/tenant.ts";
import { handleAssociate } from "../mfa/mfa-api.ts";
import { MFA_GRANT_TYPES, MFA_OTP } from "../mfa/require-mfa.ts";
import { MFA_ON_REFRESH, REDIRECT_UNAVAILABLE } from "../rules/outcomes.ts";
import { ACTION_FAILED } from "./outcomes.ts";

const NS = "https://portcullis.test/";
/** An action that copies the event it got into the ID token. */
const ECHO = `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('${NS}event', JSON.parse(JSON.stringify(event)));
};`;

describe.each(testDatabaseKinds())("post-login actions on password, refresh and MFA logins (%s)", (kind) => {
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
      password: "actions-user-password-1",
      email: "ada@acme.test",
      username: "ada",
      profile: { name: "Ada Actions", givenName: "Ada", familyName: "Actions", emailVerified: true },
    });
  });
  afterAll(async () => {
    await deps?.cleanup();
  });
  beforeEach(async () => {
    await resetRules(deps);
    await resetActions(deps);
  });

  const login = (extra: Record<string, string> = {}, query?: string) =>
    callToken(deps, {
      params: realmParams(fx.clients.web, user, user.connection, {
        audience: fx.apis.orders.identifier,
        scope: "openid profile email offline_access",
        ...extra,
      }),
      ...(query ? { query } : {}),
    });
  const refresh = (refreshToken: unknown) =>
    callToken(deps, {
      params: {
        grant_type: "refresh_token",
        client_id: fx.clients.web.clientId,
        client_secret: fx.clients.web.secret,
        refresh_token: String(refreshToken),
      },
    });

  it("the event carries Auth0's post-login fields, without the password or client secret, and each action its own secrets", async () => {
    await bindActions(
      deps,
      {
        name: "first",
        code: `exports.onExecutePostLogin = async (event, api) => { api.accessToken.setCustomClaim('${NS}first_secrets', event.secrets); };`,
        secrets: { API_KEY: "first-key-123456" },
      },
      { name: "echo", code: ECHO, secrets: { OTHER: "echo-secret-98765" } },
    );
    const res = await login({}, "ui_locales=fr&tag=a&tag=b&password=in-the-url");
    expect(res.status).toBe(200);
    const { id, access } = tokenClaims(res);
    expect(access[`${NS}first_secrets`]).toEqual({ API_KEY: "first-key-123456" });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- arbitrary JSON the assertions read field by field
    const event = id[`${NS}event`] as Record<string, any>;
    expect(event.secrets).toEqual({ OTHER: "echo-secret-98765" });
    expect(event.user).toMatchObject({
      user_id: user.userId,
      email: "ada@acme.test",
      email_verified: true,
      username: "ada",
      name: "Ada Actions",
      given_name: "Ada",
      family_name: "Actions",
      app_metadata: {},
      user_metadata: {},
      multifactor: [],
      identities: [{ connection: "Employees", provider: "auth0", isSocial: false }],
    });
    expect(typeof event.user.created_at).toBe("string");
    expect(event.client).toEqual({
      client_id: fx.clients.web.clientId,
      name: fx.clients.web.name,
      metadata: { tier: "gold" },
    });
    expect(event.connection).toMatchObject({ name: "Employees", strategy: "auth0", metadata: {} });
    expect(event.connection.id).toMatch(/^con_/);
    expect(event.request).toMatchObject({ method: "POST", query: { ui_locales: "fr", tag: ["a", "b"] } });
    expect(event.request.body).toMatchObject({
      grant_type: "http://auth0.com/oauth/grant-type/password-realm",
      realm: "Employees",
    });
    expect(JSON.stringify(event)).not.toContain(user.password);
    expect(JSON.stringify(event)).not.toContain(String(fx.clients.web.secret));
    expect(event.request.query.password).toBeUndefined();
    expect(event.stats).toEqual({ logins_count: expect.any(Number) });
    expect(event.transaction).toMatchObject({
      protocol: "oauth2-password",
      requested_scopes: ["openid", "profile", "email", "offline_access"],
    });
    expect(event.authentication.methods).toEqual([{ name: "pwd", timestamp: expect.any(String) }]);
    expect(event.authorization).toEqual({ roles: [] });
    expect(event.resource_server).toEqual({ identifier: fx.apis.orders.identifier });
    expect(event.tenant.id).toEqual(expect.any(String));
    expect(actionsAudit(res).ran.map((r) => [r.name, r.outcome])).toEqual([
      ["first", "ok"],
      ["echo", "ok"],
    ]);
  });

  it("custom claims go into the tokens, reserved ones are dropped and recorded, scopes are added and removed", async () => {
    await bindActions(deps, {
      name: "claims",
      code: `exports.onExecutePostLogin = async (event, api) => {
        api.idToken.setCustomClaim('${NS}roles', ['admin']).idToken.setCustomClaim('favorite_color', 'blue');
        api.accessToken.setCustomClaim('${NS}tier', event.client.metadata.tier);
        api.accessToken.setCustomClaim('sub', 'someone-else');
        api.idToken.setCustomClaim('https://x.auth0.com/claim', 1);
        api.accessToken.addScope('write:orders');
        api.accessToken.removeScope('email');
      };`,
    });
    const res = await login();
    expect(res.status).toBe(200);
    const { id, access } = tokenClaims(res);
    expect(id[`${NS}roles`]).toEqual(["admin"]);
    expect(id.favorite_color).toBe("blue");
    expect(access[`${NS}tier`]).toBe("gold");
    expect(access.sub).toBe(user.userId);
    expect(id["https://x.auth0.com/claim"]).toBeUndefined();
    expect(actionsAudit(res).dropped_claims).toEqual([
      "id_token.https://x.auth0.com/claim",
      "access_token.sub",
    ]);
    const scopes = String(access.scope).split(" ");
    expect(scopes).toContain("write:orders");
    expect(scopes).not.toContain("email");
    expect(res.body.scope).toBe(access.scope);
  });

  it("actions run after rules: they see the rules' metadata and api.rules.wasExecuted; later actions see earlier actions' metadata", async () => {
    const [rule] = await addRules(deps, {
      name: "tag-user",
      script: `function (user, context, callback) {
        user.app_metadata = user.app_metadata || {};
        auth0.users.updateAppMetadata(user.user_id, { from_rule: true }).then(() => callback(null, user, context));
      }`,
    });
    await bindActions(
      deps,
      {
        name: "set-meta",
        code: `exports.onExecutePostLogin = async (event, api) => {
          api.user.setAppMetadata('plan', 'gold');
          api.user.setUserMetadata('theme', event.user.app_metadata.from_rule ? 'dark' : 'light');
          api.idToken.setCustomClaim('${NS}rule_ran', api.rules.wasExecuted('${rule!.id}'));
          api.idToken.setCustomClaim('${NS}other_rule_ran', api.rules.wasExecuted('rul_nope'));
        };`,
      },
      {
        name: "read-meta",
        code: `exports.onExecutePostLogin = async (event, api) => {
          api.idToken.setCustomClaim('${NS}seen', { plan: event.user.app_metadata.plan, theme: event.user.user_metadata.theme });
        };`,
      },
    );
    const res = await login();
    expect(res.status).toBe(200);
    const { id } = tokenClaims(res);
    expect(id[`${NS}rule_ran`]).toBe(true);
    expect(id[`${NS}other_rule_ran`]).toBe(false);
    expect(id[`${NS}seen`]).toEqual({ plan: "gold", theme: "dark" });
    const stored = await findUserByUserId(deps.db, user.userId);
    expect(stored?.appMetadata).toMatchObject({ from_rule: true, plan: "gold" });
    expect(stored?.userMetadata).toMatchObject({ theme: "dark" });
  });

  it("api.access.deny refuses with 403 access_denied and the reason, stops later actions, and keeps the metadata it set", async () => {
    await bindActions(
      deps,
      {
        name: "deny-weekend",
        code: `exports.onExecutePostLogin = async (event, api) => {
          api.user.setAppMetadata('denied_once', true);
          api.access.deny('Access to ' + event.client.name + ' is not allowed today.');
          api.user.setAppMetadata('after_deny', true);
        };`,
      },
      {
        name: "never",
        code: `exports.onExecutePostLogin = async (event, api) => { api.user.setAppMetadata('never', true); };`,
      },
    );
    const res = await login();
    expect({ status: res.status, body: res.body }).toEqual({
      status: 403,
      body: {
        error: "access_denied",
        error_description: `Access to ${fx.clients.web.name} is not allowed today.`,
      },
    });
    expect(actionsAudit(res).ran.map((r) => r.name)).toEqual(["deny-weekend"]);
    expect(actionsAudit(res).error).toMatchObject({ action: "deny-weekend", kind: "denied" });
    const stored = await findUserByUserId(deps.db, user.userId);
    expect(stored?.appMetadata).toMatchObject({ denied_once: true, after_deny: true });
    expect(stored?.appMetadata.never).toBeUndefined();
  });

  it("an action that throws fails the login with its message (secrets redacted); one past its time limit fails closed", async () => {
    await bindActions(deps, {
      name: "thrower",
      code: `exports.onExecutePostLogin = async (event, api) => { throw new Error('upstream said no to ' + event.secrets.TOKEN); };`,
      secrets: { TOKEN: "tok-secret-value-1" },
    });
    const res = await login();
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: "access_denied", error_description: "upstream said no to [redacted]" });
    expect(JSON.stringify(res.logs)).not.toContain("tok-secret-value-1");
    expect(actionsAudit(res).error).toMatchObject({ action: "thrower", kind: "denied" });

    await resetActions(deps);
    await bindActions(deps, {
      name: "hangs",
      code: `exports.onExecutePostLogin = () => new Promise(() => {});`,
    });
    const hung = await login();
    expect({ status: hung.status, body: hung.body }).toEqual({
      status: 403,
      body: { error: "access_denied", error_description: ACTION_FAILED },
    });
    expect(actionsAudit(hung).error).toMatchObject({ action: "hangs", kind: "timeout" });
  });

  it("api.redirect is refused on the password exchange exactly like a redirect rule", async () => {
    await bindActions(deps, {
      name: "consent",
      code: `exports.onExecutePostLogin = async (event, api) => { api.redirect.sendUserTo('https://consent.example.com'); };`,
    });
    const res = await login();
    expect({ status: res.status, body: res.body }).toEqual({
      status: 403,
      body: { error: "access_denied", error_description: REDIRECT_UNAVAILABLE },
    });
    expect(actionsAudit(res).error).toMatchObject({ action: "consent", kind: "redirect" });
  });

  it("api.cache keeps values across logins, per action", async () => {
    await bindActions(
      deps,
      {
        name: "counter",
        code: `exports.onExecutePostLogin = async (event, api) => {
          const n = Number(api.cache.get('n')?.value ?? '0') + 1;
          const r = api.cache.set('n', String(n), { ttl: 60000 });
          api.idToken.setCustomClaim('${NS}n', n);
          api.idToken.setCustomClaim('${NS}set', r.type);
        };`,
      },
      {
        name: "peeker",
        code: `exports.onExecutePostLogin = async (event, api) => { api.idToken.setCustomClaim('${NS}peek', api.cache.get('n') ?? 'none'); };`,
      },
    );
    const first = tokenClaims(await login()).id;
    const second = tokenClaims(await login()).id;
    expect([first[`${NS}n`], second[`${NS}n`]]).toEqual([1, 2]);
    expect(second[`${NS}set`]).toBe("success");
    expect(second[`${NS}peek`]).toBe("none");
    deps.clock.advance(61_000);
    expect(tokenClaims(await login()).id[`${NS}n`]).toBe(1);
  });

  it("an action's module scope lives on between logins, as on Auth0 (a warm context per flow version)", async () => {
    await bindActions(deps, {
      name: "module-counter",
      code: `let count = 0;
        exports.onExecutePostLogin = async (event, api) => { count++; api.idToken.setCustomClaim('${NS}count', count); };`,
    });
    /** portcullis_actions_contexts_total by `how`. */
    const contexts = async () => {
      const metric = await deps.metrics.registry.getSingleMetric("portcullis_actions_contexts_total")!.get();
      const of = (how: string) => metric.values.find((v) => v.labels.how === how)?.value ?? 0;
      return { installed: of("installed"), reused: of("reused") };
    };
    const before = await contexts();
    const counts = [];
    for (let i = 0; i < 3; i++) {
      // The server's clock where a real one would be: each login reads it a few milliseconds before the actions run.
      deps.clock.set(new Date());
      counts.push(tokenClaims(await login()).id[`${NS}count`]);
    }
    expect(counts).toEqual([1, 2, 3]);
    const after = await contexts();
    expect([after.installed - before.installed, after.reused - before.reused]).toEqual([1, 2]);
    // A new version of the flow starts from a fresh module scope.
    await resetActions(deps);
    await bindActions(deps, {
      name: "module-counter",
      code: `let count = 100;
        exports.onExecutePostLogin = async (event, api) => { count++; api.idToken.setCustomClaim('${NS}count', count); };`,
    });
    deps.clock.set(new Date());
    expect(tokenClaims(await login()).id[`${NS}count`]).toBe(101);
  });

  it("actions run on refresh-token exchanges with protocol oauth2-refresh-token", async () => {
    const initial = await login();
    await bindActions(deps, {
      name: "refresh-claim",
      code: `exports.onExecutePostLogin = async (event, api) => {
        api.accessToken.setCustomClaim('${NS}protocol', event.transaction.protocol);
        if (event.transaction.protocol === 'oauth2-refresh-token' && event.request.body.client_id === 'nobody') api.access.deny('no');
      };`,
    });
    const res = await refresh(initial.body.refresh_token);
    expect(res.status).toBe(200);
    expect(tokenClaims(res).access[`${NS}protocol`]).toBe("oauth2-refresh-token");
  });

  it("api.multifactor.enable on a refresh-token exchange fails closed", async () => {
    const initial = await login();
    await bindActions(deps, {
      name: "mfa-always",
      code: `exports.onExecutePostLogin = async (event, api) => { api.multifactor.enable('any'); };`,
    });
    const res = await refresh(initial.body.refresh_token);
    expect({ status: res.status, body: res.body }).toEqual({
      status: 403,
      body: { error: "access_denied", error_description: MFA_ON_REFRESH },
    });
  });
});

// Auth0's documented "require MFA once" pattern for actions: the flow runs again after the second factor.
const MFA_ONCE = `exports.onExecutePostLogin = async (event, api) => {
  const done = event.authentication?.methods.find(({ name }) => name === 'mfa');
  api.accessToken.setCustomClaim('https://portcullis.test/mfa_done', !!done);
  if (!done) api.multifactor.enable('any', { allowRememberBrowser: false });
};`;

describe.each(testDatabaseKinds())("action-triggered MFA (%s)", (kind) => {
  let deps: TTestDeps;
  let fx: TFixture;
  beforeAll(async () => {
    deps = await createTestDeps(kind, RULES_TEST_ENV);
    fx = await seedFixture(deps);
    await updateClient(
      deps.db,
      fx.clients.web.clientId,
      { grantTypes: ["password", "refresh_token", ...MFA_GRANT_TYPES] },
      deps.clock.now(),
    );
    deps.config.clear();
    await bindActions(deps, { name: "mfa-once", code: MFA_ONCE });
  });
  afterAll(async () => deps.cleanup());

  it("api.multifactor.enable answers mfa_required; after the OTP grant the actions run again with mfa in methods", async () => {
    const web = fx.clients.web;
    const first = await callToken(deps, {
      params: {
        grant_type: "password",
        client_id: web.clientId,
        client_secret: String(web.secret),
        username: fx.users.alice.email,
        password: fx.users.alice.password,
        audience: fx.apis.orders.identifier,
        scope: "offline_access",
      },
    });
    expect(first.status).toBe(403);
    expect(first.body.error).toBe("mfa_required");
    expect(first.logs[0]?.details?.actions).toMatchObject({
      multifactor: { action: "mfa-once", provider: "any" },
    });
    const mfaToken = String(first.body.mfa_token);
    const assoc = await handleAssociate(
      new Request("https://portcullis.test/mfa/associate", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${mfaToken}` },
        body: JSON.stringify({ authenticator_types: ["otp"] }),
      }),
      deps,
    );
    const { secret } = (await assoc.json()) as { secret: string };
    const otp = await generate({ secret, epoch: Math.floor(deps.clock.now().getTime() / 1000) });
    const done = await callToken(deps, {
      params: {
        grant_type: MFA_OTP,
        client_id: web.clientId,
        client_secret: String(web.secret),
        mfa_token: mfaToken,
        otp,
      },
    });
    expect(done.status).toBe(200);
    expect(tokenClaims(done).access["https://portcullis.test/mfa_done"]).toBe(true);
  });

  it("api.multifactor.enable('none') lifts the tenant's MFA policy for that login", async () => {
    await resetActions(deps);
    await bindActions(deps, {
      name: "trusted-network",
      code: `exports.onExecutePostLogin = async (event, api) => { if (event.request.ip) api.multifactor.enable('none'); };`,
    });
    await updateTenant(deps.db, { mfaPolicy: "always" }, deps.clock.now());
    deps.config.clear();
    const web = fx.clients.web;
    const params = {
      grant_type: "password",
      client_id: web.clientId,
      client_secret: String(web.secret),
      username: fx.users.alice.email,
      password: fx.users.alice.password,
    };
    const lifted = await callToken(deps, { params });
    expect(lifted.status).toBe(200);
    // Without the action, the policy applies again.
    await resetActions(deps);
    const required = await callToken(deps, { params });
    expect(required.body.error).toBe("mfa_required");
    await updateTenant(deps.db, { mfaPolicy: "never" }, deps.clock.now());
    deps.config.clear();
  });
});
