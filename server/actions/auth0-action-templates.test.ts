import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDeps, type TTestDeps } from "../testing/test-deps.ts";
import { createFixtureUser, seedFixture, type TFixture, type TFixtureUser } from "../testing/fixtures.ts";
import { callToken, realmParams, type TTokenResult } from "../testing/token-calls.ts";
import { RULES_TEST_ENV, tokenClaims } from "../testing/rules.ts";
import { actionsAudit, bindActions, resetActions } from "../testing/actions.ts";
import { findUserByUserId, updateUserProfile } from "../store/users.ts";
import { MFA_GRANT_MISSING } from "../mfa/require-mfa.ts";

/**
 * Post-login actions written the way Auth0's published templates (auth0/opensource-marketplace, the dashboard's
 * "Create Action" templates) and its documentation examples are written: the JSDoc header, `exports.onExecutePostLogin
 * = async (event, api) => {…}`, the commented-out onContinuePostLogin, `require` inside the handler, optional
 * chaining, `catch {` without a binding, `return api.access.deny(…)`, settings from `event.secrets`. Each is pasted
 * as an admin would paste it and gives the outcome Auth0 documents for it.
 */
const HEADER = `/**
 * Handler that will be called during the execution of a PostLogin flow.
 *
 * @param {Event} event - Details about the user and the context in which they are logging in.
 * @param {PostLoginAPI} api - Interface whose methods can be used to change the behavior of the login.
 */`;
const FOOTER = `
/**
 * Handler that will be invoked when this action is resuming after an external redirect. If your
 * onExecutePostLogin function does not perform a redirect, this function can be safely ignored.
 *
 * @param {Event} event - Details about the user and the context in which they are logging in.
 * @param {PostLoginAPI} api - Interface whose methods can be used to change the behavior of the login.
 */
// exports.onContinuePostLogin = async (event, api) => {
// };
`;
const template = (body: string) => `${HEADER}\n${body}\n${FOOTER}`;

const TEMPLATES = {
  // MFA outside a trusted network range, with ipaddr.js.
  mfaOutsideCidr: template(`exports.onExecutePostLogin = async (event, api) => {
  const ipaddr = require('ipaddr.js');

  const trusted = event.secrets.TRUSTED_CIDR;
  if (!trusted) {
    return api.access.deny('Invalid configuration');
  }

  let ip;
  try {
    ip = ipaddr.parse(event.request.ip);
  } catch (error) {
    return api.access.deny('Invalid request');
  }

  let range;
  try {
    range = ipaddr.parseCIDR(trusted);
  } catch (error) {
    return api.access.deny('Invalid configuration');
  }

  if (ip.kind() !== range[0].kind() || !ip.match(range)) {
    api.multifactor.enable('guardian', { allowRememberBrowser: false });
  }
};`),
  // Refuse logins whose password is older than a number of days.
  passwordAge: template(`exports.onExecutePostLogin = async (event, api) => {
  if (!event.secrets.MAX_PASSWORD_DAYS) {
    return api.access.deny('Invalid configuration');
  }
  const days = (from, to) => (to - from) / (1000 * 60 * 60 * 24);
  const changed = event.user.last_password_reset || event.user.created_at;
  let limit;
  try {
    limit = Number(event.secrets.MAX_PASSWORD_DAYS);
  } catch {
    return api.access.deny('Invalid configuration');
  }
  if (days(new Date(changed), new Date()) > limit) {
    return api.access.deny('please change your password');
  }
};`),
  // Adaptive MFA: only when a risk assessment says so and the user has a factor.
  adaptiveMfa: template(`exports.onExecutePostLogin = async (event, api) => {
  const prompt = ['low', 'medium'];
  const confidence = event.authentication?.riskAssessment?.assessments?.NewDevice?.confidence;
  const shouldPrompt = confidence && prompt.includes(confidence);
  const canPrompt = event.user.multifactor && event.user.multifactor.length > 0;
  if (shouldPrompt && canPrompt) {
    api.multifactor.enable('any', { allowRememberBrowser: true });
  }
};`),
  // Only verified email addresses may log in.
  emailVerified: template(`exports.onExecutePostLogin = async (event, api) => {
  if (!event.user.email_verified) {
    api.access.deny('Please verify your email before logging in.');
  }
};`),
  // Email and roles into the tokens, under a namespace.
  emailAndRoles: template(`exports.onExecutePostLogin = async (event, api) => {
  const namespace = 'https://my-app.example.com';
  if (event.authorization) {
    api.idToken.setCustomClaim(\`\${namespace}/roles\`, event.authorization.roles);
    api.accessToken.setCustomClaim(\`\${namespace}/roles\`, event.authorization.roles);
  }
  api.accessToken.setCustomClaim(\`\${namespace}/email\`, event.user.email);
};`),
  // Deny one application to users of one email domain (the post-login trigger page's access-control example).
  domainForApp: template(`exports.onExecutePostLogin = async (event, api) => {
  if (event.user.email && event.user.email.endsWith('@contractors.example.com') && event.client.name === 'Acme Web') {
    api.access.deny(\`Access to \${event.client.name} is not allowed.\`);
  }
};`),
  // Remember the first login time once, in app_metadata, with lodash at the top of the module.
  firstLogin: `const _ = require('lodash');

${HEADER}
exports.onExecutePostLogin = async (event, api) => {
  if (_.isEmpty(_.get(event.user, 'app_metadata.first_login'))) {
    api.user.setAppMetadata('first_login', new Date().toISOString());
  }
  api.idToken.setCustomClaim('https://my-app.example.com/login_number', event.stats.logins_count);
};
${FOOTER}`,
  // The Rules → Actions migration guide's shape: skip what cannot work on the password exchange.
  migrated: template(`exports.onExecutePostLogin = async (event, api) => {
  const protocol = event.transaction?.protocol;
  if (protocol === 'oauth2-password' || protocol === 'oauth2-refresh-token' || protocol === 'oauth2-resource-owner') {
    api.idToken.setCustomClaim('https://my-app.example.com/skipped_redirect', true);
    return;
  }
  if (api.redirect.canRedirect()) {
    api.redirect.sendUserTo('https://consent.example.com');
  }
};`),
};

describe("Auth0-style post-login action templates run unchanged (sqlite)", () => {
  let deps: TTestDeps;
  let fx: TFixture;
  let user: TFixtureUser;

  beforeAll(async () => {
    deps = await createTestDeps("sqlite", RULES_TEST_ENV);
    fx = await seedFixture(deps);
    user = await createFixtureUser(deps, fx, {
      connection: "employees",
      password: "templates-user-password-1",
      email: "tess@contractors.example.com",
      username: "tess",
      profile: { name: "Tess Template", emailVerified: false },
    });
  });
  afterAll(async () => {
    await deps?.cleanup();
  });
  beforeEach(async () => {
    await resetActions(deps);
  });

  const login = (headers: Record<string, string> = {}): Promise<TTokenResult> =>
    callToken(deps, {
      params: realmParams(fx.clients.web, user, user.connection, { scope: "openid profile email" }),
      headers,
    });

  it("MFA outside the trusted range (the caller is 198.51.100.10): outside it MFA is required, inside it the login passes", async () => {
    await bindActions(deps, {
      name: "mfa-cidr",
      code: TEMPLATES.mfaOutsideCidr,
      secrets: { TRUSTED_CIDR: "203.0.113.0/24" },
    });
    const outside = await login();
    expect(outside.body).toEqual({ error: "unauthorized_client", error_description: MFA_GRANT_MISSING });
    expect(actionsAudit(outside).multifactor).toEqual({ action: "mfa-cidr", provider: "guardian" });

    await resetActions(deps);
    await bindActions(deps, {
      name: "mfa-cidr",
      code: TEMPLATES.mfaOutsideCidr,
      secrets: { TRUSTED_CIDR: "198.51.100.0/24" },
    });
    expect((await login()).status).toBe(200);

    await resetActions(deps);
    await bindActions(deps, { name: "mfa-cidr", code: TEMPLATES.mfaOutsideCidr });
    expect((await login()).body).toEqual({
      error: "access_denied",
      error_description: "Invalid configuration",
    });
  });

  it("password age: refused with the template's text once the password is older than the limit (server clock)", async () => {
    await bindActions(deps, {
      name: "password-age",
      code: TEMPLATES.passwordAge,
      secrets: { MAX_PASSWORD_DAYS: "30" },
    });
    expect((await login()).status).toBe(200);
    deps.clock.advance(31 * 24 * 3600 * 1000);
    const old = await login();
    expect({ status: old.status, body: old.body }).toEqual({
      status: 403,
      body: { error: "access_denied", error_description: "please change your password" },
    });
  });

  it("adaptive MFA does nothing without a risk assessment (none here), as on Auth0 without one", async () => {
    await bindActions(deps, { name: "adaptive", code: TEMPLATES.adaptiveMfa });
    expect((await login()).status).toBe(200);
  });

  it("email verified: an unverified user is refused with the template's sentence, a verified one passes", async () => {
    await bindActions(deps, { name: "verified-only", code: TEMPLATES.emailVerified });
    expect((await login()).body).toEqual({
      error: "access_denied",
      error_description: "Please verify your email before logging in.",
    });
    const stored = await findUserByUserId(deps.db, user.userId);
    await updateUserProfile(deps.db, stored!.id, { emailVerified: true }, deps.clock.now());
    expect((await login()).status).toBe(200);
    await updateUserProfile(deps.db, stored!.id, { emailVerified: false }, deps.clock.now());
  });

  it("email and roles land in the tokens under the namespace", async () => {
    await bindActions(deps, { name: "claims", code: TEMPLATES.emailAndRoles });
    const { id, access } = tokenClaims(await login());
    expect(id["https://my-app.example.com/roles"]).toEqual([]);
    expect(access["https://my-app.example.com/email"]).toBe(user.email);
  });

  it("the documentation's access-control example refuses that domain on that application", async () => {
    await bindActions(deps, { name: "no-contractors", code: TEMPLATES.domainForApp });
    const res = await login();
    expect(res.body).toEqual({
      error: "access_denied",
      error_description: `Access to ${fx.clients.web.name} is not allowed.`,
    });
  });

  it("a module-level require and app_metadata written once", async () => {
    await bindActions(deps, { name: "first-login", code: TEMPLATES.firstLogin });
    const first = await login();
    expect(first.status).toBe(200);
    const stored = await findUserByUserId(deps.db, user.userId);
    const firstLogin = stored?.appMetadata.first_login;
    expect(typeof firstLogin).toBe("string");
    expect(tokenClaims(first).id["https://my-app.example.com/login_number"]).toEqual(expect.any(Number));
    deps.clock.advance(60_000);
    await login();
    expect((await findUserByUserId(deps.db, user.userId))?.appMetadata.first_login).toBe(firstLogin);
  });

  it("a migrated rule that guards its redirect by protocol passes on the password exchange", async () => {
    await bindActions(deps, { name: "migrated", code: TEMPLATES.migrated });
    const res = await login();
    expect(res.status).toBe(200);
    expect(tokenClaims(res).id["https://my-app.example.com/skipped_redirect"]).toBe(true);
  });
});
