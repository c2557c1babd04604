import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDeps, type TTestDeps } from "../testing/test-deps.ts";
import { createFixtureUser, seedFixture, type TFixture, type TFixtureUser } from "../testing/fixtures.ts";
import { callToken, realmParams } from "../testing/token-calls.ts";
import { setRuleSetting } from "../admin/rules/rule-settings.ts";
import { findUserByUserId } from "../store/users.ts";
import { MFA_GRANT_MISSING } from "../mfa/require-mfa.ts";
import { RULES_TEST_ENV, TEST_RULES_ADMIN, addRules, resetRules, tokenClaims } from "../testing/rules.ts";

/**
 * Rules in the style of Auth0's published templates (auth0/rules), pasted unchanged: anonymous or named
 * `function (user, context, callback)`, ES5 or ES2017, globals `configuration`, `auth0`, `UnauthorizedError`.
 * Each gives the outcome Auth0 documents for it.
 */
const TEMPLATES = {
  weekdays: `function (user, context, callback) {
  if (context.clientName === 'Acme Web') {
    const date = new Date();
    const d = date.getDay();

    if (d === 0 || d === 6) {
      return callback(new UnauthorizedError('This app is only available during the week.'));
    }
  }

  callback(null, user, context);
}`,
  ipAllowlist: `function ipAddressAllowlist(user, context, callback) {
  const allowlist = ['1.2.3.4', '2.3.4.5']; // authorized IPs
  const userHasAccess = allowlist.some(function (ip) {
    return context.request.ip === ip;
  });

  if (!userHasAccess) {
    return callback(new Error('Access denied from this IP address.'));
  }

  return callback(null, user, context);
}`,
  corporateNetwork: `function (user, context, callback) {
  const ipaddr = require('ipaddr.js');
  const corp_network = '192.168.1.134/26';
  const current_ip = ipaddr.parse(context.request.ip);

  if (!current_ip.match(ipaddr.parseCIDR(corp_network))) {
    return callback(new UnauthorizedError('Unauthorized'));
  }

  return callback(null, user, context);
}`,
  emailVerified: `function emailVerified(user, context, callback) {
  if (!user.email_verified) {
    return callback(
      new UnauthorizedError('Please verify your email before logging in.')
    );
  } else {
    return callback(null, user, context);
  }
}`,
  emailDomainAllowlist: `function emailDomainWhitelist(user, context, callback) {
  // Access should only be granted to verified users.
  if (!user.email || !user.email_verified) {
    return callback(new UnauthorizedError('Access denied.'));
  }

  const whitelist = ['acme.test', 'example.com']; //authorized domains
  const userHasAccess = whitelist.some(function (domain) {
    const emailSplit = user.email.split('@');
    return emailSplit[emailSplit.length - 1].toLowerCase() === domain;
  });

  if (!userHasAccess) {
    return callback(new UnauthorizedError('Access denied.'));
  }

  return callback(null, user, context);
}`,
  addEmailToAccessToken: `function addEmailToAccessToken(user, context, callback) {
  // This rule adds the authenticated user's email address to the access token.

  var namespace = 'https://example.com/';

  context.accessToken[namespace + 'email'] = user.email;
  return callback(null, user, context);
}`,
  setRolesToUser: `function setRolesToUser(user, context, callback) {
  // Roles should only be set to verified users.
  if (!user.email || !user.email_verified) {
    return callback(null, user, context);
  }

  user.app_metadata = user.app_metadata || {};
  // You can add a Role based on what you want
  // In this case I check domain
  const addRolesToUser = function (user) {
    const endsWith = '@acme.test';

    if (user.email && (user.email.substring(user.email.length - endsWith.length, user.email.length) === endsWith)) {
      return ['admin'];
    }
    return ['user'];
  };

  const roles = addRolesToUser(user);

  user.app_metadata.roles = roles;
  auth0.users.updateAppMetadata(user.user_id, user.app_metadata)
    .then(function () {
      context.idToken['https://example.com/roles'] = user.app_metadata.roles;
      callback(null, user, context);
    })
    .catch(function (err) {
      callback(err);
    });
}`,
  addRolesFromAuthorization: `function (user, context, callback) {
  const namespace = 'https://my-app.example.com';
  const assignedRoles = (context.authorization || {}).roles;

  let idTokenClaims = context.idToken || {};
  let accessTokenClaims = context.accessToken || {};

  idTokenClaims[namespace + '/roles'] = assignedRoles;
  accessTokenClaims[namespace + '/roles'] = assignedRoles;

  context.idToken = idTokenClaims;
  context.accessToken = accessTokenClaims;

  callback(null, user, context);
}`,
  disableResourceOwner: `function disableResourceOwner(user, context, callback) {
  if (context.protocol === 'oauth2-resource-owner') {
    return callback(
      new UnauthorizedError('The resource owner endpoint cannot be used.')
    );
  }
  callback(null, user, context);
}`,
  requireMfa: `function guardianMultifactor(user, context, callback) {
  const CLIENTS_WITH_MFA = ['${"${CLIENT}"}'];
  // run only for the specified clients
  if (CLIENTS_WITH_MFA.indexOf(context.clientID) !== -1) {
    context.multifactor = {
      provider: 'any',
      allowRememberBrowser: false
    };
  }

  callback(null, user, context);
}`,
  requireMfaOncePerSession: `function requireMfaOncePerSession(user, context, callback) {
  let authMethods = [];
  if (context.authentication && Array.isArray(context.authentication.methods)) {
    authMethods = context.authentication.methods;
  }

  const completedMfa = !!authMethods.find((method) => method.name === 'mfa');

  if (completedMfa) {
    return callback(null, user, context);
  }

  context.multifactor = {
    provider: 'any',
    allowRememberBrowser: false
  };

  callback(null, user, context);
}`,
  userAllowlistForApp: `function userWhitelistForSpecificApp(user, context, callback) {
  // Access should only be granted to verified users.
  if (!user.email || !user.email_verified) {
    return callback(new UnauthorizedError('Access denied.'));
  }

  // only enforce for NameOfTheAppWithWhiteList
  // bypass this rule for all other apps
  if (context.clientName !== 'Acme Web') {
    return callback(null, user, context);
  }

  const whitelist = ['rita@acme.test']; // authorized users
  const userHasAccess = whitelist.some(function (email) {
    return email === user.email;
  });

  if (!userHasAccess) {
    return callback(new UnauthorizedError('Access denied.'));
  }

  callback(null, user, context);
}`,
  redirectSkippedForRop: `function (user, context, callback) {
  // Skip the redirect where it cannot work (Auth0's migration guide).
  if (context.protocol === 'oauth2-password' || context.protocol === 'oauth2-refresh-token' ||
      context.protocol === 'oauth2-resource-owner') {
    return callback(null, user, context);
  }
  context.redirect = { url: 'https://example.com/consent' };
  return callback(null, user, context);
}`,
  configurationApiKey: `async function (user, context, callback) {
  const _ = require('lodash');
  const allowed = _.map(configuration.ALLOWED_CONNECTIONS.split(','), _.trim);
  if (!_.includes(allowed, context.connection)) {
    return callback(new UnauthorizedError('Connection not allowed: ' + context.connection));
  }
  context.idToken['https://example.com/connection'] = context.connection;
  return callback(null, user, context);
}`,
};

describe("Auth0 rule templates run unchanged", () => {
  let deps: TTestDeps;
  let fx: TFixture;
  let rita: TFixtureUser;
  let unverified: TFixtureUser;

  beforeAll(async () => {
    deps = await createTestDeps("sqlite", RULES_TEST_ENV);
    fx = await seedFixture(deps);
    rita = await createFixtureUser(deps, fx, {
      connection: "employees",
      email: "rita@acme.test",
      password: "template-pass-1",
      profile: { emailVerified: true },
    });
    unverified = await createFixtureUser(deps, fx, {
      connection: "employees",
      email: "uma@elsewhere.test",
      password: "template-pass-2",
    });
  });
  afterAll(async () => {
    await deps?.cleanup();
  });
  beforeEach(async () => {
    await resetRules(deps);
  });

  const login = (who: TFixtureUser, socketIp?: string) =>
    callToken(deps, {
      params: realmParams(fx.clients.web, who, who.connection, {
        scope: "openid",
        audience: fx.apis.orders.identifier,
      }),
      socketIp,
    });
  const use = (name: keyof typeof TEMPLATES, script = TEMPLATES[name]) => addRules(deps, { name, script });

  it("allow access only on weekdays: refused on Saturday, allowed on Monday", async () => {
    await use("weekdays");
    deps.clock.set(new Date("2026-11-28T12:00:00")); // a Saturday
    expect((await login(rita)).body).toEqual({
      error: "unauthorized",
      error_description: "This app is only available during the week.",
    });
    deps.clock.set(new Date("2026-11-30T12:00:00")); // a Monday
    expect((await login(rita)).status).toBe(200);
  });

  it("IP address allowlist: only listed addresses get in", async () => {
    await use("ipAllowlist");
    expect((await login(rita, "9.9.9.9")).body).toEqual({
      error: "access_denied",
      error_description: "Access denied from this IP address.",
    });
    expect((await login(rita, "2.3.4.5")).status).toBe(200);
  });

  it("corporate network (ipaddr.js CIDR match)", async () => {
    await use("corporateNetwork");
    expect((await login(rita, "10.0.0.1")).body).toEqual({
      error: "unauthorized",
      error_description: "Unauthorized",
    });
    expect((await login(rita, "192.168.1.130")).status).toBe(200);
  });

  it("email verified: unverified users are told to verify", async () => {
    await use("emailVerified");
    expect((await login(unverified)).body).toEqual({
      error: "unauthorized",
      error_description: "Please verify your email before logging in.",
    });
    expect((await login(rita)).status).toBe(200);
  });

  it("email domain allowlist", async () => {
    await use("emailDomainAllowlist");
    expect((await login(unverified)).body.error_description).toBe("Access denied.");
    expect((await login(rita)).status).toBe(200);
  });

  it("add email to access token", async () => {
    await use("addEmailToAccessToken");
    expect(tokenClaims(await login(rita)).access["https://example.com/email"]).toBe(rita.email);
  });

  it("set roles to a user: roles saved in app_metadata and added to the ID token", async () => {
    await use("setRolesToUser");
    expect(tokenClaims(await login(rita)).id["https://example.com/roles"]).toEqual(["admin"]);
    expect((await findUserByUserId(deps.db, rita.userId))?.appMetadata).toMatchObject({ roles: ["admin"] });
  });

  it("add roles from context.authorization to both tokens", async () => {
    await use("addRolesFromAuthorization");
    const { id, access } = tokenClaims(await login(rita));
    expect(id["https://my-app.example.com/roles"]).toEqual([]);
    expect(access["https://my-app.example.com/roles"]).toEqual([]);
  });

  it("disable the resource owner endpoint: blocks legacy /oauth/ro only, so /oauth/token password logins pass", async () => {
    await use("disableResourceOwner");
    expect((await login(rita)).status).toBe(200);
  });

  it("require MFA for a client: the login needs MFA (this client lacks the MFA grants, so a clear refusal)", async () => {
    await use("requireMfa", TEMPLATES.requireMfa.replace("${CLIENT}", fx.clients.web.clientId));
    expect((await login(rita)).body).toEqual({
      error: "unauthorized_client",
      error_description: MFA_GRANT_MISSING,
    });
  });

  it("require MFA once per session: a password-only login needs MFA", async () => {
    await use("requireMfaOncePerSession");
    expect((await login(rita)).body.error_description).toBe(MFA_GRANT_MISSING);
  });

  it("user allowlist for a specific app", async () => {
    await use("userAllowlistForApp");
    expect((await login(rita)).status).toBe(200);
    const verifiedStranger = await createFixtureUser(deps, fx, {
      connection: "employees",
      password: "template-pass-3",
      profile: { emailVerified: true },
    });
    expect((await login(verifiedStranger)).body).toEqual({
      error: "unauthorized",
      error_description: "Access denied.",
    });
  });

  it("a redirect rule that checks context.protocol lets password logins through", async () => {
    await use("redirectSkippedForRop");
    expect((await login(rita)).status).toBe(200);
  });

  it("configuration and lodash: connections allowed by a rule setting", async () => {
    await setRuleSetting(deps, TEST_RULES_ADMIN, "ALLOWED_CONNECTIONS", { value: "Employees, Partners" });
    await use("configurationApiKey");
    expect(tokenClaims(await login(rita)).id["https://example.com/connection"]).toBe("Employees");
    await setRuleSetting(deps, TEST_RULES_ADMIN, "ALLOWED_CONNECTIONS", { value: "Partners" });
    expect((await login(rita)).body.error_description).toBe("Connection not allowed: Employees");
  });
});
