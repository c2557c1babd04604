import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hash as bcryptHash } from "@node-rs/bcrypt";
import { hash as argon2Hash } from "@node-rs/argon2";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { handleTokenRequest } from "../oauth/token-endpoint.ts";
import { findConnectionByName } from "../store/connections.ts";
import { findUserByIdentifier, listUsersOfConnection } from "../store/users.ts";
import { importTenant } from "./import-tenant.ts";
import { importUsers } from "./import-users.ts";
import { listLogs } from "../store/logs.ts";

const PASSWORD = "Imported-Pass-42";

// A tenant file exactly as auth0-deploy-cli writes one (plus keys Portcullis ignores and reports).
const DEPLOY_CLI_YAML = `
tenant:
  friendly_name: Migrated Tenant
  default_directory: Username-Password-Authentication
  default_audience: https://api.migrated.test/
  enabled_locales: [en]
clients:
  - name: Migrated Mobile
    app_type: native
    callbacks: []
    cross_origin_auth: false
    grant_types:
      - password
      - http://auth0.com/oauth/grant-type/password-realm
      - refresh_token
    jwt_configuration:
      alg: RS256
      lifetime_in_seconds: 36000
      secret_encoded: false
    oidc_conformant: true
    token_endpoint_auth_method: none
databases:
  - name: Username-Password-Authentication
    strategy: auth0
    enabled_clients:
      - Migrated Mobile
    options:
      brute_force_protection: true
      passwordPolicy: good
  - name: Contractors
    strategy: auth0
    enabled_clients:
      - Migrated Mobile
resourceServers:
  - name: Migrated API
    identifier: https://api.migrated.test/
    scopes:
      - value: read:data
        description: Read data
    allow_offline_access: true
    signing_alg: RS256
    token_lifetime: 86400
`;

function tokenRequest(params: Record<string, string>): Request {
  return new Request("https://portcullis.test/oauth/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params),
  });
}

let bcryptOf: string;
let argon2Of: string;

beforeAll(async () => {
  // Cost 10 as Auth0's schema asks; a cheap Argon2id so the test stays quick (still verifies and gets upgraded).
  bcryptOf = (await bcryptHash(PASSWORD, 10)).replace(/^\$2y\$/, "$2b$");
  argon2Of = await argon2Hash(PASSWORD, { algorithm: 2, memoryCost: 4096, timeCost: 2, parallelism: 1 });
});

describe.each(testDatabaseKinds())("importUsers (%s)", (kind) => {
  const opened: TTestDeps[] = [];
  afterAll(async () => {
    for (const d of opened) await d.cleanup();
  });

  async function tenant(): Promise<{ deps: TTestDeps; clientId: string }> {
    const deps = await createTestDeps(kind);
    opened.push(deps);
    const report = await importTenant(deps, DEPLOY_CLI_YAML);
    const clientId = report.generatedCredentials.find((c) => c.name === "Migrated Mobile")?.client_id;
    if (!clientId) throw new Error("no client id generated");
    return { deps, clientId };
  }

  async function storedUser(deps: TTestDeps, connection: string, identifier: string) {
    const conn = await findConnectionByName(deps.db, connection);
    return conn ? findUserByIdentifier(deps.db, conn.id, identifier) : null;
  }

  it("logs in users imported with bcrypt and Argon2 hashes, and upgrades the bcrypt hash to Argon2id", async () => {
    const { deps, clientId } = await tenant();
    const users = [
      {
        email: "Bcrypt.User@Example.com",
        email_verified: true,
        name: "Bea Crypt",
        password_hash: bcryptOf,
        app_metadata: { plan: "gold" },
      },
      {
        email: "argon@example.com",
        user_id: "legacy-42",
        given_name: "Ari",
        custom_password_hash: { algorithm: "argon2", hash: { value: argon2Of, encoding: "utf8" } },
      },
      { username: "bee", custom_password_hash: { algorithm: "bcrypt", hash: { value: bcryptOf } } },
    ];
    const result = await importUsers(deps, "Username-Password-Authentication", JSON.stringify(users));
    expect(result).toEqual({ imported: 3, errors: [] });
    // Stored exactly as given until the first login.
    expect(
      (await storedUser(deps, "Username-Password-Authentication", "bcrypt.user@example.com"))?.passwordHash,
    ).toBe(bcryptOf);

    for (const username of ["bcrypt.user@example.com", "argon@example.com", "bee"]) {
      const res = await handleTokenRequest(
        tokenRequest({ grant_type: "password", client_id: clientId, username, password: PASSWORD }),
        deps,
      );
      expect(res.status, username).toBe(200);
      const body = (await res.json()) as { access_token?: string; token_type?: string };
      expect(body.access_token, username).toBeTruthy();
      expect(body.token_type).toBe("Bearer");
    }
    const wrong = await handleTokenRequest(
      tokenRequest({
        grant_type: "password",
        client_id: clientId,
        username: "argon@example.com",
        password: "not-the-password",
      }),
      deps,
    );
    expect(wrong.status).toBe(403);

    const bcryptUser = await storedUser(deps, "Username-Password-Authentication", "bcrypt.user@example.com");
    expect(bcryptUser?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(bcryptUser).toMatchObject({
      email: "bcrypt.user@example.com",
      emailVerified: true,
      name: "Bea Crypt",
      appMetadata: { plan: "gold" },
    });
    expect(bcryptUser?.userId).toMatch(/^auth0\|[0-9a-f]{24}$/);
    expect((await storedUser(deps, "Username-Password-Authentication", "argon@example.com"))?.userId).toBe(
      "auth0|legacy-42",
    );
  });

  it("logs in through the realm grant in a second connection", async () => {
    const { deps, clientId } = await tenant();
    const result = await importUsers(
      deps,
      "Contractors",
      JSON.stringify([{ email: "con@example.com", password_hash: bcryptOf }]),
    );
    expect(result.imported).toBe(1);
    const res = await handleTokenRequest(
      tokenRequest({
        grant_type: "http://auth0.com/oauth/grant-type/password-realm",
        realm: "Contractors",
        client_id: clientId,
        username: "con@example.com",
        password: PASSWORD,
      }),
      deps,
    );
    expect(res.status).toBe(200);
    // Users live in their own connection: the default directory does not know this one.
    expect(await storedUser(deps, "Username-Password-Authentication", "con@example.com")).toBeNull();
  });

  it("reports bad records by index with a reason, imports the good ones and writes nothing for the bad", async () => {
    const { deps } = await tenant();
    const records = [
      { email: "good1@example.com", password_hash: bcryptOf },
      {
        email: "md5@example.com",
        custom_password_hash: {
          algorithm: "md5",
          hash: { value: "5f4dcc3b5aa765d61d8327deb882cf99", encoding: "hex" },
        },
      },
      {
        email: "good2@example.com",
        custom_password_hash: { algorithm: "argon2", hash: { value: argon2Of } },
      },
      { email: "GOOD1@example.com" },
      { email: "extra@example.com", favourite_colour: "blue" },
      { email: "mfa@example.com", mfa_factors: [{ phone: { value: "+15551234567" } }] },
      { given_name: "Nobody" },
      { email: "plain@example.com", password_hash: "not-a-bcrypt-hash" },
      { email: "prefixed@example.com", user_id: "auth0|abc" },
      "not an object",
    ];
    const result = await importUsers(deps, "Username-Password-Authentication", JSON.stringify(records));
    expect(result.imported).toBe(2);
    expect(result.errors.map((e) => e.index)).toEqual([1, 3, 4, 5, 6, 7, 8, 9]);
    const reason = (i: number) => result.errors.find((e) => e.index === i)?.reason ?? "";
    expect(reason(1)).toContain('algorithm "md5" is not supported');
    expect(reason(3)).toContain('duplicate email "good1@example.com" (also in record 0)');
    expect(reason(4)).toContain('unknown field "favourite_colour"');
    expect(reason(5)).toBe('mfa_factors: "phone" factors are not supported; only totp can be imported');
    expect(reason(6)).toContain("email or username is required");
    expect(reason(7)).toContain("password_hash must be a bcrypt hash");
    expect(reason(8)).toContain('must not start with "auth0|"');
    expect(reason(9)).toContain("must be a JSON object");

    const conn = await findConnectionByName(deps.db, "Username-Password-Authentication");
    const stored = await listUsersOfConnection(deps.db, conn!.id);
    expect(stored.map((u) => u.email).sort()).toEqual(["good1@example.com", "good2@example.com"]);
  });

  it("refuses a record with a plain password (hashes only, as Auth0's bulk import) and imports nothing of it", async () => {
    const { deps } = await tenant();
    const result = await importUsers(
      deps,
      "Username-Password-Authentication",
      JSON.stringify([{ email: "plain-pass@example.com", password: "Plain-Text-Pass-1" }]),
    );
    expect(result).toEqual({
      imported: 0,
      errors: [
        {
          index: 0,
          reason:
            "password: plain-text passwords cannot be imported; give password_hash (bcrypt) or custom_password_hash, as Auth0's bulk import does",
        },
      ],
    });
    expect(await storedUser(deps, "Username-Password-Authentication", "plain-pass@example.com")).toBeNull();
    const conn = await findConnectionByName(deps.db, "Username-Password-Authentication");
    expect(await listUsersOfConnection(deps.db, conn!.id)).toEqual([]);
  });

  it("refuses users that already exist, and updates them with upsert", async () => {
    const { deps } = await tenant();
    const file = JSON.stringify([
      { email: "same@example.com", user_id: "same-1", name: "First", password_hash: bcryptOf },
    ]);
    expect((await importUsers(deps, "Username-Password-Authentication", file)).imported).toBe(1);

    const again = await importUsers(deps, "Username-Password-Authentication", file);
    expect(again.imported).toBe(0);
    expect(again.errors[0]?.reason).toContain('a user with email "same@example.com" already exists');
    // A user_id is unique across connections.
    const elsewhere = await importUsers(
      deps,
      "Contractors",
      JSON.stringify([{ email: "other@example.com", user_id: "same-1" }]),
    );
    expect(elsewhere.errors[0]?.reason).toContain('user_id "auth0|same-1" is already taken');

    const renamed = JSON.stringify([{ email: "same@example.com", name: "Second", blocked: true }]);
    const upserted = await importUsers(deps, "Username-Password-Authentication", renamed, { upsert: true });
    expect(upserted).toEqual({ imported: 1, errors: [] });
    const user = await storedUser(deps, "Username-Password-Authentication", "same@example.com");
    expect(user).toMatchObject({
      userId: "auth0|same-1",
      name: "Second",
      blocked: true,
      passwordHash: bcryptOf,
    });
    const conn = await findConnectionByName(deps.db, "Username-Password-Authentication");
    expect(await listUsersOfConnection(deps.db, conn!.id)).toHaveLength(1);
  });

  it("an upsert that sets a password or blocks a user revokes the user's refresh tokens (audited)", async () => {
    const { deps, clientId } = await tenant();
    const connection = "Username-Password-Authentication";
    const emails = ["pat@example.com", "bo@example.com", "kept@example.com"];
    const first = JSON.stringify(emails.map((email) => ({ email, password_hash: bcryptOf })));
    expect((await importUsers(deps, connection, first)).imported).toBe(3);
    const refreshTokens: string[] = [];
    for (const username of emails) {
      const res = await handleTokenRequest(
        tokenRequest({
          grant_type: "password",
          client_id: clientId,
          username,
          password: PASSWORD,
          scope: "openid offline_access",
        }),
        deps,
      );
      const body = (await res.json()) as { refresh_token?: string };
      expect(body.refresh_token, username).toBeTruthy();
      refreshTokens.push(body.refresh_token!);
    }
    const refresh = async (token: string) => {
      const res = await handleTokenRequest(
        tokenRequest({ grant_type: "refresh_token", client_id: clientId, refresh_token: token }),
        deps,
      );
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };

    // A new password for pat, a block (lifted again later) for bo, only a new name for the third user.
    const upsert = JSON.stringify([
      { email: emails[0], custom_password_hash: { algorithm: "argon2", hash: { value: argon2Of } } },
      { email: emails[1], blocked: true },
      { email: emails[2], name: "Kept" },
    ]);
    expect(await importUsers(deps, connection, upsert, { upsert: true })).toEqual({
      imported: 3,
      errors: [],
    });
    await importUsers(deps, connection, JSON.stringify([{ email: emails[1], blocked: false }]), {
      upsert: true,
    });
    const refused = { error: "invalid_grant", error_description: "Unknown or invalid refresh token." };
    expect(await refresh(refreshTokens[0]!)).toEqual({ status: 403, body: refused });
    expect(await refresh(refreshTokens[1]!)).toEqual({ status: 403, body: refused });
    expect((await refresh(refreshTokens[2]!)).status).toBe(200);

    const audits = (await listLogs(deps.db, { type: "sapi", take: 100 })).filter(
      (l) => l.details?.action === "end user sessions",
    );
    const ids = await Promise.all(emails.slice(0, 2).map((e) => storedUser(deps, connection, e)));
    expect(audits.map((a) => [a.details?.target, a.details?.after]).sort()).toEqual(
      [
        [ids[0]?.userId, { reason: "password_change", revoked_refresh_tokens: 1 }],
        [ids[1]?.userId, { reason: "blocked", revoked_refresh_tokens: 1 }],
      ].sort(),
    );
    expect(audits[0]?.details?.actor).toMatchObject({ id: "cli" });
  });

  it("throws for an unknown connection or a file that is not a JSON array, importing nothing", async () => {
    const { deps } = await tenant();
    await expect(importUsers(deps, "No-Such-Connection", "[]")).rejects.toThrow(
      /Unknown connection "No-Such-Connection"/,
    );
    await expect(importUsers(deps, "Username-Password-Authentication", "{not json")).rejects.toThrow(
      /Invalid users file/,
    );
    await expect(
      importUsers(deps, "Username-Password-Authentication", '{"email":"a@example.com"}'),
    ).rejects.toThrow(/JSON array/);
    const conn = await findConnectionByName(deps.db, "Username-Password-Authentication");
    expect(await listUsersOfConnection(deps.db, conn!.id)).toHaveLength(0);
  });
});
