import type { TPostLoginEventInput } from "../server/actions/post-login-event.ts";
import type { TUserRecord } from "../server/store/users.ts";

// Post-login Actions of the kinds Auth0 tenants run most, modelled on Auth0's published templates (Actions →
// Library and docs.auth0.com's action samples), for the actions benchmark. The first five are the "5 typical
// actions" of the target: claims, an allowlist, MFA for a role, api.cache and a require('lodash'); more cycle
// through the list. They all let the bench user (jane.doe@example.com, roles admin and ops) in.
export const TYPICAL_ACTIONS: string[] = [
  // "Add user roles to ID and access tokens" + "Add email to access token" (roles from app_metadata, as Rules did).
  `exports.onExecutePostLogin = async (event, api) => {
  const namespace = 'https://example.com';
  const roles = (event.user.app_metadata && event.user.app_metadata.roles) || [];
  api.idToken.setCustomClaim(namespace + '/roles', roles);
  api.accessToken.setCustomClaim(namespace + '/roles', roles);
  if (event.user.email) api.accessToken.setCustomClaim(namespace + '/email', event.user.email);
};`,
  // "Email domain allowlist": deny anyone outside the company's domains.
  `exports.onExecutePostLogin = async (event, api) => {
  const allowed = ['example.com', 'acme.test'];
  const domain = (event.user.email || '').split('@').pop().toLowerCase();
  if (!event.user.email_verified || !allowed.includes(domain)) {
    api.access.deny('Access denied: use your company account.');
  }
};`,
  // "Require MFA for users with a role" (after the second factor the flow runs again with 'mfa' in the methods).
  `exports.onExecutePostLogin = async (event, api) => {
  const roles = event.user.app_metadata.roles || [];
  const hasMfa = (event.authentication && event.authentication.methods || []).some((m) => m.name === 'mfa');
  if (roles.includes('admin') && !hasMfa) {
    api.multifactor.enable('any', { allowRememberBrowser: false });
  }
};`,
  // api.cache: keep a value worked out once (Auth0's sample caches an M2M token) for later logins.
  `exports.onExecutePostLogin = async (event, api) => {
  const key = 'entitlements:' + event.client.client_id;
  let record = api.cache.get(key);
  if (!record) {
    const value = JSON.stringify({ plan: event.user.app_metadata.plan || 'free', at: Date.now() });
    const result = api.cache.set(key, value, { ttl: 10 * 60 * 1000 });
    if (result.type === 'error') console.log('cache set failed', result.code);
    record = { value };
  }
  api.accessToken.setCustomClaim('https://example.com/entitlements', JSON.parse(record.value));
};`,
  // A dependency: lodash, declared as a dependency of the action.
  `const _ = require('lodash');
exports.onExecutePostLogin = async (event, api) => {
  const profile = _.pick(event.user, ['given_name', 'family_name', 'nickname']);
  const prefs = _.defaults({}, event.user.user_metadata, { theme: 'light', locale: 'en' });
  api.idToken.setCustomClaim('https://example.com/profile', _.assign(profile, { theme: prefs.theme }));
};`,
  // "Set app metadata once": the first login stamps the user; later logins see the stamp and do nothing.
  `exports.onExecutePostLogin = async (event, api) => {
  if (!event.user.app_metadata.onboarded_at) {
    api.user.setAppMetadata('onboarded_at', new Date().toISOString());
  }
};`,
  // "Allow access during weekdays for a specific app".
  `exports.onExecutePostLogin = async (event, api) => {
  if (event.client.name === 'Payroll') {
    const day = new Date().getDay();
    if (day === 0 || day === 6) api.access.deny('Payroll is only available during the week.');
  }
};`,
];

/** The bench user as the users table holds it (the same person as the rules benchmark's `user`). */
export const ACTIONS_USER: TUserRecord = {
  id: "usr_bench",
  userId: "auth0|5f7c8ec7c33c6c004bbafe82",
  connectionId: "con_4877166bfa4fd7cb",
  email: "jane.doe@example.com",
  emailVerified: true,
  username: null,
  name: "Jane Doe",
  nickname: "jane.doe",
  givenName: "Jane",
  familyName: "Doe",
  picture: null,
  phoneNumber: null,
  phoneVerified: false,
  passwordHash: null,
  passwordLeakedAt: null,
  blocked: false,
  appMetadata: { roles: ["admin", "ops"], plan: "enterprise" },
  userMetadata: { theme: "dark" },
  loginsCount: 12,
  lastLogin: new Date("2026-11-24T10:00:00.000Z"),
  lastIp: "198.51.100.10",
  lastPasswordReset: null,
  createdAt: new Date("2024-01-15T10:00:00.000Z"),
  updatedAt: new Date("2026-11-25T10:00:00.000Z"),
};

/** What the password login of the bench user knows, for buildPostLoginEvent (a fresh transaction per call). */
export function benchEventInput(user: TUserRecord, now: Date, transactionId: string): TPostLoginEventInput {
  return {
    tenant: "Acme",
    user,
    hasMfa: false,
    client: { clientId: "WNaSOvcxtEV2xx95rnlmJ5oqxGy1qLk4", name: "Acme Web", clientMetadata: {} },
    connection: { connectionId: "con_4877166bfa4fd7cb", name: "Employees", strategy: "auth0" },
    protocol: "oauth2-password",
    grantType: "password",
    params: { username: "jane.doe@example.com", password: "not-in-the-event", scope: "openid profile email" },
    secretParams: [],
    ip: "198.51.100.10",
    userAgent: "node-auth0/4.27.0",
    hostname: "auth.acme.test",
    query: "",
    requestedScopes: ["openid", "profile", "email"],
    audience: "https://api.acme.test/",
    loginsCount: user.loginsCount + 1,
    authenticatedAt: now,
    transactionId,
  };
}
