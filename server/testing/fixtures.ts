import { randomBytes } from "node:crypto";
import { hash as bcryptHash } from "@node-rs/bcrypt";
import type { TDeps } from "../config/deps.ts";
import { sha256Hex } from "../crypto/digest.ts";
import { upsertClientByName, type TClientWrite } from "../store/clients.ts";
import { upsertConnectionByName } from "../store/connections.ts";
import { upsertResourceServer } from "../store/resource-servers.ts";
import { updateTenant } from "../store/tenant.ts";
import { findUserByUserId, insertUsers } from "../store/users.ts";
import { PASSWORD, PASSWORD_REALM } from "../oauth/grant-types.ts";

// The fixture tenant the integration tests log in to: its clients, connections, APIs and users, and a way to add
// one more user. Requests against it: token-calls.ts; checks on what it answers: token-checks.ts, stored-rows.ts.

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
    const { id, clientId } = await upsertClientByName(
      sql,
      w,
      { clientId: newClientId() },
      deps.clock.now(),
      sealed(secret),
    );
    return { id, clientId, name: w.name, secret };
  }

  const passwordGrants = [PASSWORD, PASSWORD_REALM];
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
    deps.clock.now(),
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
    const { id } = await upsertConnectionByName(
      sql,
      { name, strategy: "auth0" },
      { connectionId },
      deps.clock.now(),
      enabled,
    );
    return { id, connectionId, name };
  }
  const database = await connection(DATABASE, allFirstParty);
  const employees = await connection("Employees", [web.id, basic.id, spa.id, hs256.id, nonRotating.id]);
  const customers = await connection("Customers", [web.id, basic.id, spa.id]);
  const partners = await connection("Partners", [basic.id]);
  await updateTenant(
    sql,
    { friendlyName: "Acme", defaultDirectory: DATABASE, defaultAudience: null },
    deps.clock.now(),
  );

  const orders: TFixtureApi = {
    identifier: "https://api.acme.test/orders",
    scopes: ["read:orders", "write:orders", "delete:orders"],
    tokenLifetime: 7200,
  };
  await upsertResourceServer(
    sql,
    {
      identifier: orders.identifier,
      name: "Orders API",
      scopes: orders.scopes.map((value) => ({ value, description: value })),
      tokenLifetime: orders.tokenLifetime,
      signingAlg: "RS256",
      allowOfflineAccess: true,
    },
    deps.clock.now(),
  );
  const reports: TFixtureApi = {
    identifier: "https://reports.acme.test",
    scopes: ["read:reports"],
    tokenLifetime: 86400,
  };
  await upsertResourceServer(
    sql,
    {
      identifier: reports.identifier,
      name: "Reports API",
      scopes: [{ value: "read:reports" }],
      signingAlg: "RS256",
      allowOfflineAccess: false,
    },
    deps.clock.now(),
  );
  const legacySecret = newSecret();
  secrets.push(legacySecret);
  const legacy = {
    identifier: "urn:acme:legacy",
    scopes: ["legacy:read"],
    tokenLifetime: 3600,
    secret: legacySecret,
  };
  await upsertResourceServer(
    sql,
    {
      identifier: legacy.identifier,
      name: "Legacy API (HS256)",
      scopes: [{ value: "legacy:read" }],
      tokenLifetime: legacy.tokenLifetime,
      signingAlg: "HS256",
      signingSecretEnc: deps.box.seal("api-signing-secret", legacySecret),
      allowOfflineAccess: true,
    },
    deps.clock.now(),
  );

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
