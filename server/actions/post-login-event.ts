import type { TJsonObject } from "../../rules-runtime/index.ts";
import type { TClientRecord } from "../store/clients.ts";
import type { TUserRecord } from "../store/users.ts";
import { isSecretParam } from "../oauth/core/secret-params.ts";
import { buildRuleUser, compact, parseRuleQuery } from "../rules/rule-input.ts";

/** What a login knows that the post-login event shows (the rules' input plus the audience). */
export type TPostLoginEventInput = {
  tenant: string;
  user: TUserRecord;
  /** Whether the user has an active second factor (`event.user.multifactor`). */
  hasMfa: boolean;
  client: Pick<TClientRecord, "clientId" | "name" | "clientMetadata">;
  connection: { connectionId: string; name: string; strategy: string };
  protocol: "oauth2-password" | "oauth2-refresh-token";
  grantType: string;
  params: Record<string, string>;
  secretParams: readonly string[];
  ip: string | undefined;
  userAgent: string | undefined;
  hostname: string | undefined;
  query: string;
  /** The scopes the request asked for (`event.transaction.requested_scopes`). */
  requestedScopes: string[];
  /** The API the tokens are for (`event.resource_server.identifier`), when there is one. */
  audience: string | null;
  loginsCount: number;
  authenticatedAt: Date;
  mfaAt?: Date;
  /** `event.transaction.id`: one id per login attempt. */
  transactionId: string;
};

const isObject = (v: unknown): v is TJsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * `event.user`: the rules' user object (Auth0's profile, built once in rule-input.ts) with what Actions see
 * differently: app_metadata and user_metadata always objects, enrolled factors, this login's count, no permissions.
 */
function eventUser(i: TPostLoginEventInput): TJsonObject {
  const { permissions: _permissions, ...user } = buildRuleUser(i.user, i.connection);
  return {
    ...user,
    logins_count: i.loginsCount,
    app_metadata: isObject(i.user.appMetadata) ? i.user.appMetadata : {},
    user_metadata: isObject(i.user.userMetadata) ? i.user.userMetadata : {},
    multifactor: i.hasMfa ? ["guardian"] : [],
  };
}

/**
 * The post-login `event` (Auth0's event object, the fields that exist here), without `secrets`: each action gets
 * its own. Secret request parameters (password, client_secret, a grant's own) never appear in `request.body` or
 * `request.query`.
 */
export function buildPostLoginEvent(i: TPostLoginEventInput): TJsonObject {
  const body: TJsonObject = { grant_type: i.grantType, client_id: i.client.clientId };
  for (const [k, v] of Object.entries(i.params)) if (!isSecretParam(k, i.secretParams)) body[k] = v;
  return compact({
    user: eventUser(i),
    client: { client_id: i.client.clientId, name: i.client.name, metadata: { ...i.client.clientMetadata } },
    connection: {
      id: i.connection.connectionId,
      name: i.connection.name,
      strategy: i.connection.strategy,
      metadata: {},
    },
    request: compact({
      ip: i.ip,
      hostname: i.hostname,
      user_agent: i.userAgent,
      method: "POST",
      query: parseRuleQuery(i.query, i.secretParams),
      body,
    }),
    stats: { logins_count: i.loginsCount },
    tenant: { id: i.tenant },
    transaction: {
      id: i.transactionId,
      protocol: i.protocol,
      requested_scopes: i.requestedScopes,
      acr_values: [],
      ui_locales: [],
      locale: "en",
    },
    authentication: {
      methods: [
        { name: "pwd", timestamp: i.authenticatedAt.toISOString() },
        ...(i.mfaAt ? [{ name: "mfa", timestamp: i.mfaAt.toISOString() }] : []),
      ],
    },
    authorization: { roles: [] },
    resource_server: i.audience ? { identifier: i.audience } : undefined,
  });
}

/** A realistic event for Try in the dashboard: a password login of a sample user to a sample application. */
export function samplePostLoginEvent(now: Date, tenant = "portcullis"): TJsonObject {
  const created = new Date(now.getTime() - 90 * 24 * 3600 * 1000);
  return buildPostLoginEvent({
    tenant,
    user: {
      id: "sample",
      userId: "auth0|5f7c8ec7c33c6c004bbafe82",
      connectionId: "con_sample",
      passwordHash: null,
      passwordLeakedAt: null,
      email: "j+smith@example.com",
      emailVerified: true,
      username: null,
      name: "Jane Smith",
      nickname: "j+smith",
      givenName: "Jane",
      familyName: "Smith",
      picture: null,
      phoneNumber: null,
      phoneVerified: false,
      createdAt: created,
      updatedAt: created,
      lastPasswordReset: null,
      lastLogin: new Date(now.getTime() - 24 * 3600 * 1000),
      lastIp: "203.0.113.7",
      loginsCount: 41,
      blocked: false,
      appMetadata: { plan: "premium" },
      userMetadata: { favorite_color: "blue" },
    },
    hasMfa: false,
    client: { clientId: "sample-client-id", name: "My App", clientMetadata: {} },
    connection: { connectionId: "con_sample", name: "Username-Password-Authentication", strategy: "auth0" },
    protocol: "oauth2-password",
    grantType: "password",
    params: { username: "j+smith@example.com", scope: "openid profile email" },
    secretParams: [],
    ip: "203.0.113.7",
    userAgent: "Mozilla/5.0 (X11; Linux x86_64)",
    hostname: "login.example.com",
    query: "",
    requestedScopes: ["openid", "profile", "email"],
    audience: null,
    loginsCount: 42,
    authenticatedAt: now,
    transactionId: "sample-transaction",
  });
}
