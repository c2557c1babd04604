import { randomBytes } from "node:crypto";
import { hash as bcryptHash } from "@node-rs/bcrypt";
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from "jose";
import type { TDeps } from "../config/deps.ts";
import { sha256Hex } from "../crypto/digest.ts";
import { upsertClientByName, type TClientWrite } from "../store/clients.ts";
import { upsertConnectionByName } from "../store/connections.ts";
import { listLogs, type TLogRecord } from "../store/logs.ts";
import { upsertResourceServer } from "../store/resource-servers.ts";
import { updateTenant } from "../store/tenant.ts";
import { findUserByUserId, insertUsers, type TUserRecord } from "../store/users.ts";
import { handleTokenRequest } from "../oauth/token-endpoint.ts";
import { CLIENT_IP_HEADER } from "../oauth/request.ts";

export const PASSWORD_GRANT = "password";
export const REALM_GRANT = "http://auth0.com/oauth/grant-type/password-realm";

export type TFixtureClient = { id: string; clientId: string; name: string };
export type TSecretClient = TFixtureClient & { secret: string };
export type TFixtureConnection = { id: string; connectionId: string; name: string };
export type TFixtureUser = {
  /** Internal row id. */
  id: string;
  /** Auth0-style `auth0|…` id, the token `sub`. */
  userId: string;
  email: string;
  username: string | null;
  password: string;
  connection: string;
};
export type TFixtureApi = { identifier: string; scopes: string[]; tokenLifetime: number };

export type TFixture = {
  issuer: string;
  userinfo: string;
  clients: {
    /** Confidential first-party, client_secret_post, password + realm + refresh (rotating), trusts auth0-forwarded-for. */
    web: TSecretClient;
    /** Confidential first-party, client_secret_basic, password + realm, no refresh_token grant. */
    basic: TSecretClient;
    /** Public (none) native app, password + realm + refresh; its "trust IP header" flag is set although it cannot count. */
    spa: TFixtureClient;
    /** Third-party app that nevertheless lists the password grants (mis-imported); must still be refused. */
    thirdParty: TSecretClient;
    /** First-party confidential app without the password grants. */
    noPassword: TSecretClient;
    /** Confidential app whose ID tokens are HS256, signed with its client secret. */
    hs256: TSecretClient;
    /** Confidential app whose refresh tokens do not rotate. */
    nonRotating: TSecretClient;
  };
  connections: {
    /** Username-Password-Authentication: the tenant's Default Directory. */
    database: TFixtureConnection;
    employees: TFixtureConnection;
    customers: TFixtureConnection;
    /** Enabled only for the Basic client. */
    partners: TFixtureConnection;
  };
  apis: {
    /** RS256, scopes, Allow Offline Access, 2 h tokens. */
    orders: TFixtureApi;
    /** RS256, no offline access. */
    reports: TFixtureApi;
    /** HS256 with its own signing secret, Allow Offline Access. */
    legacy: TFixtureApi & { secret: string };
  };
  users: {
    alice: TFixtureUser;
    /** Admin-blocked. */
    blocked: TFixtureUser;
    /** Imported with a bcrypt hash. */
    bcrypt: TFixtureUser;
    /** Same email in Employees and Customers, different passwords. */
    danaEmployee: TFixtureUser;
    danaCustomer: TFixtureUser;
    /** In the Partners connection. */
    partner: TFixtureUser;
  };
  /** Every password and secret the fixture knows, to prove none reaches the audit log. */
  secrets: string[];
};

function randomId(prefix: string, bytes: number): string {
  return prefix + randomBytes(bytes).toString("hex");
}

function newClientId(): string {
  // Auth0 client ids are 32 alphanumerics.
  return randomBytes(24).toString("base64url").replace(/[-_]/g, "x").slice(0, 32);
}

function newSecret(): string {
  return randomBytes(48).toString("base64url");
}

const DATABASE = "Username-Password-Authentication";

/**
 * Seed a realistic tenant: seven clients covering every auth method and gating case, four connections (one not
 * enabled for most clients), users across connections (blocked, bcrypt-imported, same email in two realms) and
 * three APIs (RS256 with offline access, RS256 without, HS256).
 */
export async function seedFixture(deps: TDeps): Promise<TFixture> {
  const { db: sql } = deps;
  const secrets: string[] = [];
  const sealed = (secret: string) => ({
    hash: sha256Hex(secret),
    sealed: deps.box.seal("client-secret", secret),
  });

  async function secretClient(w: TClientWrite): Promise<TSecretClient> {
    const secret = newSecret();
    secrets.push(secret);
    const { id, clientId } = await upsertClientByName(sql, w, { clientId: newClientId() }, sealed(secret));
    return { id, clientId, name: w.name, secret };
  }

  const passwordGrants = [PASSWORD_GRANT, REALM_GRANT];
  const web = await secretClient({
    name: "Acme Web",
    appType: "regular_web",
    tokenEndpointAuthMethod: "client_secret_post",
    grantTypes: [...passwordGrants, "refresh_token", "authorization_code"],
    isTokenEndpointIpHeaderTrusted: true,
  });
  const basic = await secretClient({
    name: "Acme Backend (Basic)",
    appType: "regular_web",
    tokenEndpointAuthMethod: "client_secret_basic",
    grantTypes: [...passwordGrants],
  });
  const spaRow = await upsertClientByName(
    sql,
    {
      name: "Acme Mobile",
      appType: "native",
      tokenEndpointAuthMethod: "none",
      grantTypes: [...passwordGrants, "refresh_token"],
      // Auth0 forbids this for public clients; set anyway to prove the header still does not count.
      isTokenEndpointIpHeaderTrusted: true,
      // Public clients have no secret to sign with; they must still get RS256.
      idTokenAlg: "HS256",
    },
    { clientId: newClientId() },
    null,
  );
  const spa = { id: spaRow.id, clientId: spaRow.clientId, name: "Acme Mobile" };
  const thirdParty = await secretClient({
    name: "Partner Portal (third party)",
    isFirstParty: false,
    tokenEndpointAuthMethod: "client_secret_post",
    grantTypes: [...passwordGrants, "refresh_token"],
  });
  const noPassword = await secretClient({
    name: "Acme Dashboard (no ROP)",
    tokenEndpointAuthMethod: "client_secret_post",
    grantTypes: ["authorization_code", "refresh_token", "client_credentials"],
  });
  const hs256 = await secretClient({
    name: "Legacy Intranet (HS256)",
    tokenEndpointAuthMethod: "client_secret_post",
    grantTypes: [...passwordGrants],
    idTokenAlg: "HS256",
    idTokenLifetime: 600,
  });
  const nonRotating = await secretClient({
    name: "Kiosk (non-rotating refresh)",
    tokenEndpointAuthMethod: "client_secret_post",
    grantTypes: [...passwordGrants, "refresh_token"],
    refreshRotationType: "non-rotating",
  });

  const allFirstParty = [web, basic, spa, hs256, nonRotating, noPassword, thirdParty].map((c) => c.id);
  async function connection(name: string, enabled: string[]): Promise<TFixtureConnection> {
    const connectionId = randomId("con_", 8);
    const { id } = await upsertConnectionByName(sql, { name, strategy: "auth0" }, { connectionId }, enabled);
    return { id, connectionId, name };
  }
  const database = await connection(DATABASE, allFirstParty);
  const employees = await connection("Employees", [web.id, basic.id, spa.id, hs256.id, nonRotating.id]);
  const customers = await connection("Customers", [web.id, basic.id, spa.id]);
  const partners = await connection("Partners", [basic.id]);
  await updateTenant(sql, { friendlyName: "Acme", defaultDirectory: DATABASE, defaultAudience: null });

  const orders: TFixtureApi = {
    identifier: "https://api.acme.test/orders",
    scopes: ["read:orders", "write:orders", "delete:orders"],
    tokenLifetime: 7200,
  };
  await upsertResourceServer(sql, {
    identifier: orders.identifier,
    name: "Orders API",
    scopes: orders.scopes.map((value) => ({ value, description: value })),
    tokenLifetime: orders.tokenLifetime,
    signingAlg: "RS256",
    allowOfflineAccess: true,
  });
  const reports: TFixtureApi = {
    identifier: "https://reports.acme.test",
    scopes: ["read:reports"],
    tokenLifetime: 86400,
  };
  await upsertResourceServer(sql, {
    identifier: reports.identifier,
    name: "Reports API",
    scopes: [{ value: "read:reports" }],
    signingAlg: "RS256",
    allowOfflineAccess: false,
  });
  const legacySecret = newSecret();
  secrets.push(legacySecret);
  const legacy = {
    identifier: "urn:acme:legacy",
    scopes: ["legacy:read"],
    tokenLifetime: 3600,
    secret: legacySecret,
  };
  await upsertResourceServer(sql, {
    identifier: legacy.identifier,
    name: "Legacy API (HS256)",
    scopes: [{ value: "legacy:read" }],
    tokenLifetime: legacy.tokenLifetime,
    signingAlg: "HS256",
    signingSecretEnc: deps.box.seal("api-signing-secret", legacySecret),
    allowOfflineAccess: true,
  });

  const fx: TFixture = {
    issuer: deps.env.issuer,
    userinfo: `${deps.env.issuer}userinfo`,
    clients: { web, basic, spa, thirdParty, noPassword, hs256, nonRotating },
    connections: { database, employees, customers, partners },
    apis: { orders, reports, legacy },
    users: {} as TFixture["users"],
    secrets,
  };
  fx.users = {
    alice: await createFixtureUser(deps, fx, {
      connection: "database",
      email: "alice@example.com",
      username: "alice",
      password: "correct horse battery staple",
      profile: { name: "Alice Liddell", givenName: "Alice", familyName: "Liddell", emailVerified: true },
    }),
    blocked: await createFixtureUser(deps, fx, {
      connection: "database",
      email: "mallory@example.com",
      password: "blocked-but-right-password",
      blocked: true,
    }),
    bcrypt: await createFixtureUser(deps, fx, {
      connection: "database",
      email: "imported@example.com",
      password: "imported-from-elsewhere",
      isBcrypt: true,
    }),
    danaEmployee: await createFixtureUser(deps, fx, {
      connection: "employees",
      email: "dana@acme.test",
      password: "employee-password-1",
    }),
    danaCustomer: await createFixtureUser(deps, fx, {
      connection: "customers",
      email: "dana@acme.test",
      password: "customer-password-2",
    }),
    partner: await createFixtureUser(deps, fx, {
      connection: "partners",
      email: "pat@partner.test",
      password: "partner-password-3",
    }),
  };
  return fx;
}

/** Insert one more user (tests that change a user's state get their own) and remember its password. */
export async function createFixtureUser(
  deps: TDeps,
  fx: TFixture,
  u: {
    connection: keyof TFixture["connections"];
    password: string;
    email?: string;
    username?: string;
    blocked?: boolean;
    isBcrypt?: boolean;
    profile?: { name?: string; givenName?: string; familyName?: string; emailVerified?: boolean };
  },
): Promise<TFixtureUser> {
  const connection = fx.connections[u.connection];
  const email = u.email ?? `user-${randomBytes(5).toString("hex")}@example.com`;
  const userId = randomId("auth0|", 12);
  const passwordHash = u.isBcrypt ? await bcryptHash(u.password, 10) : await deps.hasher.hash(u.password);
  await insertUsers(
    deps.db,
    [
      {
        userId,
        connectionId: connection.id,
        email,
        emailVerified: u.profile?.emailVerified ?? false,
        username: u.username ?? null,
        name: u.profile?.name ?? null,
        givenName: u.profile?.givenName ?? null,
        familyName: u.profile?.familyName ?? null,
        passwordHash,
        blocked: u.blocked ?? false,
      },
    ],
    deps.clock.now(),
  );
  const row = await findUserByUserId(deps.db, userId);
  if (!row) throw new Error(`fixture user ${userId} was not stored`);
  fx.secrets.push(u.password);
  return {
    id: row.id,
    userId,
    email,
    username: u.username ?? null,
    password: u.password,
    connection: connection.name,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP-level helpers: build a real Request, call the endpoint, return what a client sees plus the audit rows.

export type TTokenCall = {
  /** Body parameters; sent form-encoded unless `encoding` says otherwise. */
  params?: Record<string, string>;
  encoding?: "form" | "form-charset" | "json";
  /** Overrides the Content-Type header and sends `rawBody` as is. */
  contentType?: string;
  rawBody?: string;
  basic?: { id: string; secret: string };
  headers?: Record<string, string>;
  /** Socket address our HTTP server would set. */
  socketIp?: string;
  userAgent?: string;
};

export type TTokenResult = {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  /** Audit records this request wrote. */
  logs: TLogRecord[];
};

export const DEFAULT_SOCKET_IP = "198.51.100.10";
export const DEFAULT_USER_AGENT = "node-auth0/4.27.0 (contract-test)";

/** Build the Request a client would send to POST /oauth/token. */
export function buildTokenRequest(call: TTokenCall): Request {
  const headers = new Headers(call.headers);
  headers.set(CLIENT_IP_HEADER, call.socketIp ?? DEFAULT_SOCKET_IP);
  headers.set("user-agent", call.userAgent ?? DEFAULT_USER_AGENT);
  if (call.basic) {
    const enc = (s: string) => encodeURIComponent(s);
    headers.set(
      "authorization",
      `Basic ${Buffer.from(`${enc(call.basic.id)}:${enc(call.basic.secret)}`).toString("base64")}`,
    );
  }
  let body: string;
  if (call.rawBody !== undefined || call.contentType !== undefined) {
    body = call.rawBody ?? "";
    if (call.contentType !== undefined) headers.set("content-type", call.contentType);
  } else if (call.encoding === "json") {
    headers.set("content-type", "application/json");
    body = JSON.stringify(call.params ?? {});
  } else {
    headers.set(
      "content-type",
      call.encoding === "form-charset"
        ? "application/x-www-form-urlencoded;charset=UTF-8"
        : "application/x-www-form-urlencoded",
    );
    body = new URLSearchParams(call.params ?? {}).toString();
  }
  return new Request("https://portcullis.test/oauth/token", { method: "POST", headers, body });
}

async function allLogIds(deps: TDeps): Promise<Set<string>> {
  return new Set((await listLogs(deps.db, { take: 1_000_000 })).map((l) => l.log_id));
}

/** POST /oauth/token through handleTokenRequest and collect the audit records the request wrote. */
export async function callToken(deps: TDeps, call: TTokenCall): Promise<TTokenResult> {
  const before = await allLogIds(deps);
  const res = await handleTokenRequest(buildTokenRequest(call), deps);
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`Token endpoint answered ${res.status} with a non-JSON body: ${text}`);
  }
  const logs = (await listLogs(deps.db, { take: 1_000_000 })).filter((l) => !before.has(l.log_id));
  return { status: res.status, headers: res.headers, body, logs };
}

/**
 * callToken that also notes in `seen` every password and client secret the call sends (right or wrong, 8 characters
 * or more) and every token it gets back, for a test proving that none of them reaches the audit log.
 */
export async function callTokenNotingSecrets(
  deps: TDeps,
  call: TTokenCall,
  seen: string[],
): Promise<TTokenResult> {
  for (const k of ["password", "client_secret"]) {
    const v = call.params?.[k];
    if (v && v.length >= 8) seen.push(v);
  }
  const res = await callToken(deps, call);
  for (const k of ["access_token", "id_token", "refresh_token"]) {
    if (typeof res.body[k] === "string") seen.push(res.body[k]);
  }
  return res;
}

/** Parameters of a password grant sent by a client_secret_post client. */
export function passwordParams(
  client: Pick<TFixtureClient, "clientId"> & { secret?: string },
  user: { email: string; password: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    grant_type: PASSWORD_GRANT,
    client_id: client.clientId,
    ...(client.secret ? { client_secret: client.secret } : {}),
    username: user.email,
    password: user.password,
    ...extra,
  };
}

/** Parameters of a realm grant, in node-auth0's field order. */
export function realmParams(
  client: TFixtureClient & { secret?: string },
  user: { email: string; password: string },
  realm: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    client_id: client.clientId,
    username: user.email,
    password: user.password,
    realm,
    ...extra,
    ...(client.secret ? { client_secret: client.secret } : {}),
    grant_type: REALM_GRANT,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Token checks a relying party would make.

/** A response field that must be a string (a token, a scope). */
export function str(v: unknown): string {
  if (typeof v !== "string") throw new Error(`expected a string, got ${JSON.stringify(v)}`);
  return v;
}

/** A space-separated scope, sorted. */
export function words(v: unknown): string[] {
  return str(v).split(" ").filter(Boolean).sort();
}

/** Verify an RS256 access token against the published JWKS, as an API would. */
export async function verifyRs256AccessToken(
  deps: TDeps,
  token: string,
  expected: { audience: string },
): Promise<JWTPayload> {
  const jwks = createLocalJWKSet(await deps.keys.jwks());
  const { payload, protectedHeader } = await jwtVerify(token, jwks, {
    issuer: deps.env.issuer,
    audience: expected.audience,
    algorithms: ["RS256"],
    currentDate: deps.clock.now(),
  });
  if (typeof protectedHeader.kid !== "string") throw new Error("RS256 access token without kid");
  return payload;
}

/**
 * Validate an ID token exactly as node-auth0's IDTokenValidator does (contract §7.2): alg RS256/HS256, iss equal to
 * `https://{domain}/`, string sub, aud containing the client id, azp when several audiences, numeric exp/iat with
 * 60 s tolerance, nonce only when present, then a signature check with the JWKS or the client secret (HS256).
 * `now` is the test clock instead of the wall clock.
 */
export async function validateIdTokenLikeNodeAuth0(
  deps: TDeps,
  idToken: string,
  opts: { clientId: string; clientSecret?: string; idTokenSigningAlg?: "RS256" | "HS256"; now?: Date },
): Promise<JWTPayload> {
  const alg = opts.idTokenSigningAlg ?? "RS256";
  const issuer = deps.env.issuer;
  const clockTolerance = 60;
  const header = decodeProtectedHeader(idToken);
  const payload = decodeJwt(idToken);
  if (header.alg !== "RS256" && header.alg !== "HS256") throw new Error(`unsupported alg ${header.alg}`);
  if (typeof payload.iss !== "string" || payload.iss !== issuer)
    throw new Error(`iss mismatch: ${payload.iss}`);
  if (!payload.sub || typeof payload.sub !== "string") throw new Error("sub missing");
  if (!payload.aud || !(typeof payload.aud === "string" || Array.isArray(payload.aud)))
    throw new Error("aud missing");
  if (Array.isArray(payload.aud) ? !payload.aud.includes(opts.clientId) : payload.aud !== opts.clientId) {
    throw new Error(`aud mismatch: ${JSON.stringify(payload.aud)}`);
  }
  const now = Math.floor((opts.now ?? deps.clock.now()).getTime() / 1000);
  if (!payload.exp || typeof payload.exp !== "number") throw new Error("exp missing");
  if (now > payload.exp + clockTolerance) throw new Error("expired");
  if (!payload.iat || typeof payload.iat !== "number") throw new Error("iat missing");
  if (payload.nonce !== undefined) throw new Error("unexpected nonce");
  if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== opts.clientId)
    throw new Error("azp mismatch");
  const options = {
    issuer,
    audience: opts.clientId,
    clockTolerance,
    algorithms: ["HS256", "RS256"],
    currentDate: opts.now ?? deps.clock.now(),
  };
  if (alg === "HS256") await jwtVerify(idToken, new TextEncoder().encode(opts.clientSecret ?? ""), options);
  else await jwtVerify(idToken, createLocalJWKSet(await deps.keys.jwks()), options);
  return payload;
}

/** Every audit row as stored, serialized, to search for leaked secrets. */
export async function serializedAuditRows(deps: TDeps): Promise<string> {
  return JSON.stringify(await deps.db.all(`SELECT * FROM "LogEvent"`));
}

/** The stored row of a user by public user id; fails the test when there is none. */
export async function storedUser(deps: TDeps, userId: string): Promise<TUserRecord> {
  const user = await findUserByUserId(deps.db, userId);
  if (!user) throw new Error(`no stored user ${userId}`);
  return user;
}

/** How many audit records have every given column value (all records when none is given). */
export async function countLogRows(
  deps: TDeps,
  where: { userId?: string; type?: string; ip?: string } = {},
): Promise<number> {
  const entries = Object.entries(where).filter(([, v]) => v !== undefined);
  const rows = await deps.db.all<{ n: number | string }>(
    `SELECT COUNT(*) AS n FROM "LogEvent"${entries.length > 0 ? ` WHERE ${entries.map(([k]) => `"${k}" = ?`).join(" AND ")}` : ""}`,
    entries.map(([, v]) => v ?? null),
  );
  return Number(rows[0]?.n ?? 0);
}
