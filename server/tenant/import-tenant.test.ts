import { describe, expect, it } from "vitest";
import { jwtVerify } from "jose";
import { testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { useFreshDeps } from "../testing/use-deps.ts";
import { buildTokenRequest } from "../testing/token-calls.ts";
import { handleTokenRequest } from "../oauth/token-endpoint.ts";
import { listClients } from "../store/clients.ts";
import { listConnections } from "../store/connections.ts";
import { listResourceServers } from "../store/resource-servers.ts";
import { getTenant } from "../store/tenant.ts";
import { importTenant } from "./import-tenant.ts";
import { exportTenant } from "./export-tenant.ts";
import { importUsers } from "./import-users.ts";

const PASSWORD = "Correct-Horse-9";

const BASE_YAML = `
tenant:
  friendly_name: Acme
  default_directory: Staff
  default_audience: https://api.acme.test/
clients:
  - name: Acme Web
    app_type: regular_web
    grant_types: [password, refresh_token]
  - name: Acme Mobile
    app_type: native
    grant_types: [password, refresh_token]
databases:
  - name: Staff
    enabled_clients: [Acme Web, Acme Mobile]
resourceServers:
  - name: Acme API
    identifier: https://api.acme.test/
    scopes:
      - value: read:orders
        description: Read orders
    allow_offline_access: true
`;

describe.each(testDatabaseKinds())("importTenant (%s)", (kind) => {
  const fresh = useFreshDeps(kind);

  /** Import BASE_YAML plus one user (password PASSWORD) in the Staff directory. */
  async function seeded() {
    const deps = await fresh();
    const report = await importTenant(deps, BASE_YAML);
    const hash = await deps.hasher.hash(PASSWORD);
    await importUsers(
      deps,
      "Staff",
      JSON.stringify([
        { email: "pat@acme.test", custom_password_hash: { algorithm: "argon2", hash: { value: hash } } },
      ]),
    );
    return { deps, report };
  }

  async function login(deps: TTestDeps, params: Record<string, string>) {
    return handleTokenRequest(
      buildTokenRequest({
        params: { grant_type: "password", username: "pat@acme.test", password: PASSWORD, ...params },
      }),
      deps,
    );
  }

  it("creates every object, applies Auth0 defaults and generates credentials that authenticate", async () => {
    const { deps, report } = await seeded();
    expect(report.created).toEqual([
      'client "Acme Web"',
      'client "Acme Mobile"',
      'resourceServer "https://api.acme.test/"',
      'database "Staff"',
    ]);
    expect(report.updated).toEqual(["tenant"]);
    expect(report.unsupported).toEqual([]);

    const web = report.generatedCredentials.find((c) => c.name === "Acme Web");
    const mobile = report.generatedCredentials.find((c) => c.name === "Acme Mobile");
    expect(web?.client_id).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(web?.client_secret).toHaveLength(64);
    // A public client gets an id but no secret.
    expect(mobile?.client_id).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(mobile?.client_secret).toBeUndefined();

    const clients = await listClients(deps.db);
    const webRow = clients.find((c) => c.name === "Acme Web");
    const mobileRow = clients.find((c) => c.name === "Acme Mobile");
    expect(webRow).toMatchObject({ isFirstParty: true, tokenEndpointAuthMethod: "client_secret_post" });
    expect(mobileRow).toMatchObject({
      isFirstParty: true,
      tokenEndpointAuthMethod: "none",
      clientSecretHash: null,
    });
    // The secret is stored only as a digest and a sealed copy.
    expect(webRow?.clientSecretHash).not.toContain(web?.client_secret);
    expect(deps.box.open("client-secret", webRow?.clientSecretEnc ?? "")).toBe(web?.client_secret);
    expect(await getTenant(deps.db)).toMatchObject({
      friendlyName: "Acme",
      defaultDirectory: "Staff",
      defaultAudience: "https://api.acme.test/",
    });

    const ok = await login(deps, { client_id: web!.client_id, client_secret: web!.client_secret! });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { access_token?: string }).access_token).toBeTruthy();
    const wrong = await login(deps, { client_id: web!.client_id, client_secret: "x".repeat(64) });
    expect(wrong.status).toBe(401);
    const publicLogin = await login(deps, { client_id: mobile!.client_id });
    expect(publicLogin.status).toBe(200);
  });

  it("is idempotent: a second import creates nothing, keeps client ids and secrets", async () => {
    const { deps, report: first } = await seeded();
    const web = first.generatedCredentials.find((c) => c.name === "Acme Web")!;
    const before = await exportTenant(deps);

    const second = await importTenant(deps, BASE_YAML);
    expect(second.created).toEqual([]);
    expect(second.updated).toEqual([
      'client "Acme Web"',
      'client "Acme Mobile"',
      'resourceServer "https://api.acme.test/"',
      'database "Staff"',
      "tenant",
    ]);
    expect(second.generatedCredentials).toEqual([]);
    expect(await listClients(deps.db)).toHaveLength(2);
    expect(await listConnections(deps.db)).toHaveLength(1);
    // The imported API and the built-in Management API.
    expect(await listResourceServers(deps.db)).toHaveLength(2);
    expect(await exportTenant(deps)).toBe(before);
    const stillWorks = await login(deps, { client_id: web.client_id, client_secret: web.client_secret! });
    expect(stillWorks.status).toBe(200);
  });

  it("uses client_id and client_secret from the file, and replaces a secret only when the file gives one", async () => {
    const deps = await fresh();
    const secretA = "a".repeat(20) + "-first-secret-value-000";
    const secretB = "b".repeat(20) + "-second-secret-value-00";
    const yaml = (secret: string) =>
      `${BASE_YAML.replace("  - name: Acme Web\n", `  - name: Acme Web\n    client_id: acme-web-1\n    client_secret: ${secret}\n`)}`;
    const report = await importTenant(deps, yaml(secretA));
    expect(report.generatedCredentials.map((c) => c.name)).toEqual(["Acme Mobile"]);
    await importUsers(
      deps,
      "Staff",
      JSON.stringify([
        {
          email: "pat@acme.test",
          custom_password_hash: { algorithm: "argon2", hash: { value: await deps.hasher.hash(PASSWORD) } },
        },
      ]),
    );
    expect((await login(deps, { client_id: "acme-web-1", client_secret: secretA })).status).toBe(200);

    await importTenant(deps, yaml(secretB));
    expect((await login(deps, { client_id: "acme-web-1", client_secret: secretA })).status).toBe(401);
    expect((await login(deps, { client_id: "acme-web-1", client_secret: secretB })).status).toBe(200);
  });

  it("refuses to change the client_id of an existing client and changes nothing", async () => {
    const { deps } = await seeded();
    const before = await exportTenant(deps);
    const changed = BASE_YAML.replace(
      "  - name: Acme Web\n",
      "  - name: Acme Web\n    client_id: another-id\n",
    ).replace("friendly_name: Acme", "friendly_name: Renamed");
    await expect(importTenant(deps, changed)).rejects.toThrow(
      /clients\[0\]\.client_id: client "Acme Web" already has client_id/,
    );
    expect(await exportTenant(deps)).toBe(before);
  });

  it("reports unsupported keys by path and still imports the rest", async () => {
    const deps = await fresh();
    const yaml = `
tenant:
  friendly_name: Acme
  flags:
    enable_client_connections: false
clients:
  - name: Acme Web
    callbacks: [https://acme.test/callback]
    jwt_configuration:
      alg: RS256
      secret_encoded: false
    refresh_token:
      rotation_type: rotating
      expiration_type: expiring
databases:
  - name: Staff
    enabled_clients: [Acme Web]
    realms: [Staff]
    options:
      requires_username: false
      customScripts:
        login: ./databases/Staff/login.js
resourceServers:
  - name: Acme API
    identifier: https://api.acme.test/
    enforce_policies: true
    scopes:
      - value: read:orders
        note: extra
guardianFactors:
  - name: otp
    enabled: true
`;
    const report = await importTenant(deps, yaml);
    expect([...report.unsupported].sort()).toEqual(
      [
        "tenant.flags",
        "clients[0].callbacks",
        "clients[0].jwt_configuration.secret_encoded",
        "clients[0].refresh_token.expiration_type",
        "databases[0].realms",
        "databases[0].options.customScripts",
        "resourceServers[0].enforce_policies",
        "resourceServers[0].scopes[0].note",
      ].sort(),
    );
    const [connection] = await listConnections(deps.db);
    // Ignored options are not stored (they would look as if they were in force); the rest are.
    expect(connection?.options).toEqual({ requires_username: false });
    expect(await listClients(deps.db)).toHaveLength(1);
  });

  it("rejects an invalid file listing every problem with its path, and changes nothing", async () => {
    const { deps } = await seeded();
    const before = await exportTenant(deps);
    const schemaErrors = `
tenant:
  friendly_name: Changed
clients:
  - name: Acme Web
    app_type: mainframe
  - description: no name
resourceServers:
  - name: Acme API
    identifier: https://api.acme.test/
    token_lifetime: -5
`;
    const err = await importTenant(deps, schemaErrors).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toContain("nothing was changed");
    expect(err?.message).toContain("clients[0].app_type");
    expect(err?.message).toContain("clients[1].name");
    expect(err?.message).toContain("resourceServers[0].token_lifetime");

    const referenceErrors = `
tenant:
  friendly_name: Changed
  default_directory: Nowhere
  default_audience: https://unknown.test/
clients:
  - name: Acme Web
    description: changed
  - name: Partner
    is_first_party: false
    grant_types: [password, client_credentials]
  - name: Acme Web
databases:
  - name: Staff
    enabled_clients: [Acme Web, Ghost App]
`;
    const err2 = await importTenant(deps, referenceErrors).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(err2?.message).toContain('clients[2].name: "Acme Web" appears more than once');
    expect(err2?.message).toContain(
      "clients[1].grant_types: Third-party applications (is_first_party: false) cannot use password",
    );
    expect(err2?.message).toContain('databases[0].enabled_clients[1]: no client named "Ghost App"');
    expect(err2?.message).toContain('tenant.default_directory: no database connection named "Nowhere"');
    expect(err2?.message).toContain(
      'tenant.default_audience: no API with identifier "https://unknown.test/"',
    );

    await expect(importTenant(deps, "clients: [unterminated")).rejects.toThrow(/Invalid tenant file/);
    expect(await exportTenant(deps)).toBe(before);
  });

  it("refuses the IP-header trust for a public client", async () => {
    const deps = await fresh();
    const yaml = `
clients:
  - name: Mobile
    app_type: spa
    is_token_endpoint_ip_header_trusted: true
`;
    await expect(importTenant(deps, yaml)).rejects.toThrow(
      /clients\[0\]\.is_token_endpoint_ip_header_trusted/,
    );
    expect(await listClients(deps.db)).toHaveLength(0);
  });

  it("gives new clients Auth0's default grants, without the password grant", async () => {
    const deps = await fresh();
    await importTenant(deps, "clients:\n  - name: Plain SPA\n    app_type: spa\n  - name: Plain Web\n");
    const clients = await listClients(deps.db);
    expect(clients.find((c) => c.name === "Plain SPA")?.grantTypes).toEqual([
      "implicit",
      "authorization_code",
      "refresh_token",
    ]);
    expect(clients.find((c) => c.name === "Plain Web")?.grantTypes).toEqual([
      "implicit",
      "authorization_code",
      "refresh_token",
      "client_credentials",
    ]);
  });

  it("makes the import visible to this process at once (configuration cache cleared)", async () => {
    const deps = await fresh();
    expect(await deps.config.client("cached-id")).toBeNull();
    await importTenant(deps, "clients:\n  - name: Cached\n    client_id: cached-id\n");
    expect((await deps.config.client("cached-id"))?.name).toBe("Cached");
  });

  it("generates an HS256 signing secret once and signs the API's access tokens with it", async () => {
    const { deps, report } = await seeded();
    const hsYaml = `
clients:
  - name: Acme Mobile
resourceServers:
  - name: Legacy API
    identifier: https://legacy.acme.test/
    signing_alg: HS256
    scopes: [{ value: read:legacy }]
`;
    const hs = await importTenant(deps, hsYaml);
    expect(hs.generatedSigningSecrets).toHaveLength(1);
    const secret = hs.generatedSigningSecrets[0]!.signing_secret;
    expect(
      (await listResourceServers(deps.db)).find((a) => a.signingAlg === "HS256")?.signingSecretEnc,
    ).not.toContain(secret);
    // Re-importing keeps the secret: nothing new to print.
    expect((await importTenant(deps, hsYaml)).generatedSigningSecrets).toEqual([]);

    const mobile = report.generatedCredentials.find((c) => c.name === "Acme Mobile")!;
    const res = await login(deps, { client_id: mobile.client_id, audience: "https://legacy.acme.test/" });
    expect(res.status).toBe(200);
    const { access_token } = (await res.json()) as { access_token: string };
    const { payload } = await jwtVerify(access_token, new TextEncoder().encode(secret), {
      algorithms: ["HS256"],
    });
    expect(payload.aud).toBe("https://legacy.acme.test/");
  });
});
