import type { TJsonObject } from "../../rules-runtime/index.ts";
import type { TClientRecord } from "../store/clients.ts";
import type { TUserRecord } from "../store/users.ts";
import { isSecretParam } from "../oauth/core/secret-params.ts";

/** An object without its null and undefined fields (Auth0 leaves unset profile fields out). */
export function compact(o: Record<string, unknown>): TJsonObject {
  const out: TJsonObject = {};
  for (const [k, v] of Object.entries(o))
    if (v !== null && v !== undefined) out[k] = v as TJsonObject[string];
  return out;
}

/** The `user` object of Auth0 rules (contract §3.3) for a stored user. */
export function buildRuleUser(
  user: TUserRecord,
  connection: { name: string; strategy: string },
): TJsonObject {
  const bar = user.userId.indexOf("|");
  return compact({
    user_id: user.userId,
    email: user.email,
    email_verified: user.emailVerified,
    username: user.username,
    name: user.name ?? user.email ?? user.username,
    nickname: user.nickname ?? (user.email ? user.email.split("@")[0] : user.username),
    given_name: user.givenName,
    family_name: user.familyName,
    picture: user.picture,
    phone_number: user.phoneNumber,
    phone_verified: user.phoneNumber ? user.phoneVerified : undefined,
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
    last_password_reset: user.lastPasswordReset?.toISOString(),
    last_login: user.lastLogin?.toISOString(),
    last_ip: user.lastIp,
    logins_count: user.loginsCount,
    blocked: user.blocked,
    identities: [
      {
        connection: connection.name,
        provider: connection.strategy,
        isSocial: false,
        user_id: bar >= 0 ? user.userId.slice(bar + 1) : user.userId,
      },
    ],
    app_metadata: user.appMetadata as TJsonObject,
    user_metadata: user.userMetadata as TJsonObject,
    multifactor: [],
    permissions: [],
  });
}

export type TRuleContextInput = {
  tenant: string;
  client: TClientRecord;
  connection: { connectionId: string; name: string; strategy: string };
  protocol: "oauth2-password" | "oauth2-refresh-token";
  grantType: string;
  params: Record<string, string>;
  /** The grant's declared secret parameters: stripped from `context.request.body` with the shared ones. */
  secretParams: readonly string[];
  ip: string | undefined;
  userAgent: string | undefined;
  hostname: string | undefined;
  /** The request URL's query string, without "?". */
  query: string;
  loginsCount: number;
  sessionID: string;
  /** When the user last proved their password (now for password grants, the login for refreshes). */
  authenticatedAt: Date;
  /** When the user passed a second factor in this login (rules run again after MFA). */
  mfaAt?: Date;
};

/** At most this many query values reach a rule (a URL can hold thousands; the rest are dropped). */
const MAX_QUERY_VALUES = 100;

/**
 * `context.request.query` as Auth0 (Express) gives it: each parameter's value, an array when it is repeated. Secret
 * parameters (a client that puts `password` or `client_secret` in the URL) are stripped as from the body; own
 * properties only, so `__proto__` is a parameter like any other.
 */
export function parseRuleQuery(query: string, secretParams: readonly string[]): TJsonObject {
  const out = new Map<string, string | string[]>();
  let values = 0;
  for (const [k, v] of new URLSearchParams(query)) {
    if (isSecretParam(k, secretParams)) continue;
    if (++values > MAX_QUERY_VALUES) break;
    const seen = out.get(k);
    if (seen === undefined) out.set(k, v);
    else if (Array.isArray(seen)) seen.push(v);
    else out.set(k, [seen, v]);
  }
  return Object.fromEntries(out);
}

/** The `context` object of Auth0 rules (contract §3.2), the fields that exist in Portcullis. */
export function buildRuleContext(i: TRuleContextInput): TJsonObject {
  const body: TJsonObject = { grant_type: i.grantType, client_id: i.client.clientId };
  for (const [k, v] of Object.entries(i.params)) if (!isSecretParam(k, i.secretParams)) body[k] = v;
  return {
    tenant: i.tenant,
    clientID: i.client.clientId,
    clientName: i.client.name,
    clientMetadata: i.client.clientMetadata,
    connection: i.connection.name,
    connectionID: i.connection.connectionId,
    connectionStrategy: i.connection.strategy,
    protocol: i.protocol,
    request: compact({
      ip: i.ip,
      userAgent: i.userAgent,
      hostname: i.hostname,
      query: parseRuleQuery(i.query, i.secretParams),
      body,
    }),
    stats: { loginsCount: i.loginsCount },
    sso: { with_auth0: false, with_dbconn: false },
    idToken: {},
    accessToken: {},
    sessionID: i.sessionID,
    authentication: {
      methods: [
        { name: "pwd", timestamp: i.authenticatedAt.getTime() },
        ...(i.mfaAt ? [{ name: "mfa", timestamp: i.mfaAt.getTime() }] : []),
      ],
    },
    authorization: { roles: [] },
  };
}
