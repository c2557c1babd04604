import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { testDatabaseKinds } from "../testing/test-deps.ts";
import { useFreshDeps } from "../testing/use-deps.ts";
import { exportTenant } from "./export-tenant.ts";
import { importTenant } from "./import-tenant.ts";

const CLIENT_SECRET = "file-given-client-secret-0123456789abcdef";
const SIGNING_SECRET = "file-given-hs256-signing-secret-xyz";

const FULL_YAML = `
tenant:
  friendly_name: Round Trip Inc
  default_directory: Main-DB
  default_audience: https://api.roundtrip.test/
clients:
  - name: Zeta Server
    client_id: zeta-server-id
    client_secret: ${CLIENT_SECRET}
    description: Server app with every setting
    app_type: regular_web
    token_endpoint_auth_method: client_secret_basic
    grant_types: [password, http://auth0.com/oauth/grant-type/password-realm, refresh_token]
    jwt_configuration:
      alg: HS256
      lifetime_in_seconds: 600
    is_token_endpoint_ip_header_trusted: true
    client_metadata:
      team: platform
    refresh_token:
      rotation_type: non-rotating
      leeway: 30
      token_lifetime: 86400
      idle_token_lifetime: 3600
  - name: Alpha Mobile
    app_type: native
    grant_types: [password, refresh_token]
  - name: Partner
    is_first_party: false
    grant_types: [authorization_code, client_credentials]
databases:
  - name: Main-DB
    enabled_clients: [Zeta Server, Alpha Mobile]
    options:
      requires_username: true
      passwordPolicy: good
  - name: Empty-DB
resourceServers:
  - name: Round Trip API
    identifier: https://api.roundtrip.test/
    scopes:
      - value: read:x
        description: Read x
      - value: write:x
    token_lifetime: 7200
    allow_offline_access: true
  - name: Legacy HS API
    identifier: urn:legacy
    signing_alg: HS256
    signing_secret: ${SIGNING_SECRET}
`;

describe.each(testDatabaseKinds())("exportTenant (%s)", (kind) => {
  const fresh = useFreshDeps(kind);

  it("round-trips: export, import into a fresh database, export again gives the same text", async () => {
    const source = await fresh();
    await importTenant(source, FULL_YAML);
    const first = await exportTenant(source);

    const target = await fresh();
    const report = await importTenant(target, first);
    expect(report.unsupported).toEqual([]);
    expect(await exportTenant(target)).toBe(first);
    // Re-importing the export where it came from changes nothing either.
    await importTenant(source, first);
    expect(await exportTenant(source)).toBe(first);
  });

  it("writes every setting the import reads, with client ids but without any secret", async () => {
    const deps = await fresh();
    await importTenant(deps, FULL_YAML);
    const text = await exportTenant(deps);
    expect(text).not.toContain(CLIENT_SECRET);
    expect(text).not.toContain(SIGNING_SECRET);
    expect(text).not.toMatch(/client_secret:|signing_secret:/);

    const file = parse(text) as Record<string, unknown[]> & { tenant: unknown };
    expect(file.tenant).toEqual({
      friendly_name: "Round Trip Inc",
      default_directory: "Main-DB",
      default_audience: "https://api.roundtrip.test/",
    });
    expect(file.clients?.map((c) => (c as { name: string }).name)).toEqual([
      "Alpha Mobile",
      "Partner",
      "Zeta Server",
    ]);
    expect(file.clients?.[2]).toEqual({
      name: "Zeta Server",
      client_id: "zeta-server-id",
      description: "Server app with every setting",
      app_type: "regular_web",
      is_first_party: true,
      token_endpoint_auth_method: "client_secret_basic",
      grant_types: ["password", "http://auth0.com/oauth/grant-type/password-realm", "refresh_token"],
      jwt_configuration: { alg: "HS256", lifetime_in_seconds: 600 },
      is_token_endpoint_ip_header_trusted: true,
      client_metadata: { team: "platform" },
      refresh_token: {
        rotation_type: "non-rotating",
        leeway: 30,
        token_lifetime: 86400,
        idle_token_lifetime: 3600,
      },
    });
    expect(file.clients?.[1]).toMatchObject({
      name: "Partner",
      is_first_party: false,
      token_endpoint_auth_method: "client_secret_post",
    });
    expect(file.databases).toEqual([
      { name: "Empty-DB", strategy: "auth0", enabled_clients: [] },
      {
        name: "Main-DB",
        strategy: "auth0",
        enabled_clients: ["Alpha Mobile", "Zeta Server"],
        options: { requires_username: true, passwordPolicy: "good" },
      },
    ]);
    expect(file.resourceServers).toEqual([
      {
        name: "Legacy HS API",
        identifier: "urn:legacy",
        scopes: [],
        token_lifetime: 86400,
        signing_alg: "HS256",
        allow_offline_access: false,
      },
      {
        name: "Round Trip API",
        identifier: "https://api.roundtrip.test/",
        scopes: [{ value: "read:x", description: "Read x" }, { value: "write:x" }],
        token_lifetime: 7200,
        signing_alg: "RS256",
        allow_offline_access: true,
      },
    ]);
  });

  it("orders objects by code point on every database, so both kinds export the same text", async () => {
    const deps = await fresh();
    await importTenant(deps, "clients:\n  - name: alpha\n  - name: Zeta\n  - name: beta\n");
    const file = parse(await exportTenant(deps)) as { clients: { name: string }[] };
    expect(file.clients.map((c) => c.name)).toEqual(["Zeta", "alpha", "beta"]);
  });

  it("exports an empty tenant as a file the import accepts", async () => {
    const deps = await fresh();
    const text = await exportTenant(deps);
    expect(parse(text)).toEqual({
      tenant: { friendly_name: "Portcullis" },
      guardianFactors: [
        { name: "otp", enabled: true },
        { name: "recovery-code", enabled: true },
      ],
      guardianPolicies: { policies: [] },
      clients: [],
      databases: [],
      resourceServers: [],
      attackProtection: {
        bruteForceProtection: expect.objectContaining({ enabled: true, max_attempts: 10 }),
        suspiciousIpThrottling: expect.objectContaining({ enabled: true }),
        breachedPasswordDetection: expect.objectContaining({ enabled: false }),
      },
    });
    const other = await fresh();
    await importTenant(other, text);
    expect(await exportTenant(other)).toBe(text);
  });

  it("carries the MFA policy and factors (guardianPolicies, guardianFactors) through export and import", async () => {
    const source = await fresh();
    await importTenant(
      source,
      `guardianFactors:
  - name: otp
    enabled: true
  - name: recovery-code
    enabled: false
  - name: sms
    enabled: false
guardianPolicies:
  policies: [all-applications]
`,
    );
    const text = await exportTenant(source);
    expect(parse(text)).toMatchObject({
      guardianFactors: [
        { name: "otp", enabled: true },
        { name: "recovery-code", enabled: false },
      ],
      guardianPolicies: { policies: ["all-applications"] },
    });
    const target = await fresh();
    await importTenant(target, text);
    expect(await target.config.tenant()).toMatchObject({
      mfaPolicy: "always",
      mfaRecoveryCodeEnabled: false,
    });
    await expect(
      importTenant(
        target,
        "guardianFactors:\n  - name: sms\n    enabled: true\nguardianPolicies:\n  policies: [confidence-score]\n",
      ),
    ).rejects.toThrow(/guardianFactors\[0\].*"sms" is not supported[\s\S]*guardianPolicies.policies/);
    expect(await exportTenant(target)).toBe(text);
  });
});
