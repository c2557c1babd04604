import type { TJsonObject, TRuleSource } from "../rules-runtime/index.ts";

// Five rules of the kinds Auth0 tenants run most (checks, claims from metadata, an allowlist), shared by the
// rules, actions and token-endpoint benchmarks. The allowlist admits example.com, so bench users live there.
export const TYPICAL: string[] = [
  `function emailVerified(user, context, callback) {
    if (!user.email_verified) return callback(new UnauthorizedError('Please verify your email before logging in.'));
    callback(null, user, context);
  }`,
  `function addEmailToAccessToken(user, context, callback) {
    context.accessToken['https://example.com/email'] = user.email;
    callback(null, user, context);
  }`,
  `function (user, context, callback) {
    const roles = (user.app_metadata && user.app_metadata.roles) || [];
    context.idToken['https://example.com/roles'] = roles;
    context.accessToken['https://example.com/roles'] = roles;
    callback(null, user, context);
  }`,
  `function emailDomainAllowlist(user, context, callback) {
    const allowed = ['example.com', 'acme.test'];
    const domain = user.email.split('@').pop().toLowerCase();
    if (allowed.indexOf(domain) === -1) return callback(new UnauthorizedError('Access denied.'));
    callback(null, user, context);
  }`,
  `function (user, context, callback) {
    if (context.clientName === 'Reports' && context.request.ip.indexOf('10.') !== 0) {
      return callback(new UnauthorizedError('Reports are only available on the corporate network.'));
    }
    context.idToken['https://example.com/tenant'] = context.tenant;
    callback(null, user, context);
  }`,
];

/** `n` rules cycling through TYPICAL, named rule-1 … rule-n. */
export function rulesOf(n: number): TRuleSource[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `rule-${i + 1}`,
    script: TYPICAL[i % TYPICAL.length]!,
  }));
}

/** The `user` a password login of the bench user hands the rules (the rules and actions benchmarks). */
export const RULES_USER: TJsonObject = {
  user_id: "auth0|5f7c8ec7c33c6c004bbafe82",
  email: "jane.doe@example.com",
  email_verified: true,
  name: "Jane Doe",
  nickname: "jane.doe",
  given_name: "Jane",
  family_name: "Doe",
  created_at: "2024-01-15T10:00:00.000Z",
  updated_at: "2026-11-25T10:00:00.000Z",
  logins_count: 12,
  blocked: false,
  identities: [
    { connection: "Employees", provider: "auth0", isSocial: false, user_id: "5f7c8ec7c33c6c004bbafe82" },
  ],
  app_metadata: { roles: ["admin", "ops"], plan: "enterprise" },
  user_metadata: { theme: "dark" },
  multifactor: [],
  permissions: [],
};

/** The `context` of that login. */
export const RULES_CONTEXT: TJsonObject = {
  tenant: "Acme",
  clientID: "WNaSOvcxtEV2xx95rnlmJ5oqxGy1qLk4",
  clientName: "Acme Web",
  clientMetadata: {},
  connection: "Employees",
  connectionID: "con_4877166bfa4fd7cb",
  connectionStrategy: "auth0",
  protocol: "oauth2-password",
  request: {
    ip: "198.51.100.10",
    userAgent: "node-auth0/4.27.0",
    query: {},
    body: { grant_type: "password", username: "jane.doe@example.com", scope: "openid profile email" },
  },
  stats: { loginsCount: 13 },
  sso: { with_auth0: false, with_dbconn: false },
  idToken: {},
  accessToken: {},
  sessionID: "w4yVfJ3r0sVgM9Uo",
  authentication: { methods: [{ name: "pwd", timestamp: Date.now() }] },
  authorization: { roles: [] },
};
