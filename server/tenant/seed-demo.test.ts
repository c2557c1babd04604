import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { testDatabaseKinds } from "../testing/test-deps.ts";
import { useFreshDeps } from "../testing/use-deps.ts";
import { buildTokenRequest } from "../testing/token-calls.ts";
import { handleTokenRequest } from "../oauth/token-endpoint.ts";
import { listClients } from "../store/clients.ts";
import { listConnections, findConnectionByName } from "../store/connections.ts";
import { findUserByIdentifier } from "../store/users.ts";
import { getTenant } from "../store/tenant.ts";
import { importTenant } from "./import-tenant.ts";
import { seedDemoTenant } from "./seed-demo.ts";

const DEMO_DIR = fileURLToPath(new URL("../../demo", import.meta.url));
const REALM = "http://auth0.com/oauth/grant-type/password-realm";

describe.each(testDatabaseKinds())("seedDemoTenant (%s)", (kind) => {
  const fresh = useFreshDeps(kind);

  it("seeds the demo tenant once, and its users log in with the demo password", async () => {
    const deps = await fresh();
    const seeded = await seedDemoTenant(deps, DEMO_DIR);
    expect(seeded).not.toBeNull();
    if (!seeded) return;
    expect(seeded.demoPassword).toBe("Portcullis-Demo-1");
    expect(seeded.sampleUser).toBe("alice@example.com");
    expect(seeded.users).toEqual([
      { connection: "Username-Password-Authentication", imported: 2 },
      { connection: "Employees", imported: 1 },
      { connection: "Customers", imported: 1 },
    ]);
    expect(seeded.tenantReport.unsupported).toEqual([]);
    const creds = Object.fromEntries(seeded.tenantReport.generatedCredentials.map((c) => [c.name, c]));
    expect(Object.keys(creds)).toEqual(["Demo Web App", "Demo Mobile App", "Partner App"]);
    expect(creds["Demo Web App"]?.client_secret).toBeTruthy();
    expect(creds["Demo Mobile App"]?.client_secret).toBeUndefined();
    expect((await getTenant(deps.db)).seededAt).not.toBeNull();

    const web = creds["Demo Web App"]!;
    const mobile = creds["Demo Mobile App"]!;
    const password = seeded.demoPassword;
    const logins: [string, Record<string, string>][] = [
      [
        "alice (bcrypt), default directory, web app",
        {
          grant_type: "password",
          client_id: web.client_id,
          client_secret: web.client_secret!,
          username: "alice@example.com",
        },
      ],
      [
        "bob (argon2id), default directory, mobile app",
        { grant_type: "password", client_id: mobile.client_id, username: "bob@example.com" },
      ],
      [
        "erin, Employees realm",
        { grant_type: REALM, realm: "Employees", client_id: mobile.client_id, username: "erin@corp.example" },
      ],
      [
        "carol, Customers realm",
        {
          grant_type: REALM,
          realm: "Customers",
          client_id: web.client_id,
          client_secret: web.client_secret!,
          username: "carol@customer.example",
        },
      ],
    ];
    for (const [label, params] of logins) {
      const res = await handleTokenRequest(
        buildTokenRequest({ params: { ...params, password, scope: "openid offline_access" } }),
        deps,
      );
      expect(res.status, label).toBe(200);
      const body = (await res.json()) as { access_token?: string; refresh_token?: string; scope?: string };
      expect(body.access_token, label).toBeTruthy();
      // Demo API: default audience with offline access, so the demo shows refresh tokens too.
      expect(body.refresh_token, label).toBeTruthy();
      expect(body.scope, label).toContain("read:items");
    }
    const conn = await findConnectionByName(deps.db, "Username-Password-Authentication");
    expect((await findUserByIdentifier(deps.db, conn!.id, "alice@example.com"))?.passwordHash).toMatch(
      /^\$argon2id\$/,
    );

    // The third-party app may not use the password grant.
    const partner = creds["Partner App"]!;
    const refused = await handleTokenRequest(
      buildTokenRequest({
        params: {
          grant_type: "password",
          client_id: partner.client_id,
          client_secret: partner.client_secret!,
          username: "alice@example.com",
          password,
        },
      }),
      deps,
    );
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error?: string }).error).toBe("unauthorized_client");

    // A second start does nothing.
    expect(await seedDemoTenant(deps, DEMO_DIR)).toBeNull();
    expect(await listClients(deps.db)).toHaveLength(3);
  });

  it("seeds exactly once when several servers start together", async () => {
    const deps = await fresh();
    const results = await Promise.all([
      seedDemoTenant(deps, DEMO_DIR),
      seedDemoTenant(deps, DEMO_DIR),
      seedDemoTenant(deps, DEMO_DIR),
    ]);
    expect(results.filter((r) => r !== null)).toHaveLength(1);
    expect(await listClients(deps.db)).toHaveLength(3);
    expect(await listConnections(deps.db)).toHaveLength(3);
  });

  it("leaves a database that was configured before the first start alone", async () => {
    const deps = await fresh();
    await importTenant(deps, "clients:\n  - name: Production App\n");
    expect(await seedDemoTenant(deps, DEMO_DIR)).toBeNull();
    expect((await listClients(deps.db)).map((c) => c.name)).toEqual(["Production App"]);
    expect(await listConnections(deps.db)).toHaveLength(0);
  });

  it("changes nothing and stays unseeded when a demo file is broken, so the next start retries", async () => {
    const deps = await fresh();
    const broken = mkdtempSync(join(tmpdir(), "portcullis-demo-"));
    try {
      writeFileSync(join(broken, "tenant.yaml"), "clients:\n  - name: Demo\n    app_type: mainframe\n");
      for (const f of ["users.json", "users-employees.json", "users-customers.json"])
        writeFileSync(join(broken, f), "[]");
      await expect(seedDemoTenant(deps, broken)).rejects.toThrow(/clients\[0\]\.app_type/);
      expect((await getTenant(deps.db)).seededAt).toBeNull();
      expect(await listClients(deps.db)).toHaveLength(0);
      expect(await seedDemoTenant(deps, DEMO_DIR)).not.toBeNull();
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });
});
