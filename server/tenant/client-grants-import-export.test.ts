import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { listClientGrants } from "../store/client-grants.ts";
import { importTenant } from "./import-tenant.ts";
import { exportTenant } from "./export-tenant.ts";
import { callToken } from "../testing/token-calls.ts";

// As auth0-deploy-cli writes a tenant with an M2M app: client grants name their client, one for the Auth0
// Management API (which this server does not have), the deploy CLI's extra keys included.
const YAML = `
clients:
  - name: Billing Worker
    client_id: billingWorkerClientId0000000001
    client_secret: billing-worker-secret-0123456789
    app_type: non_interactive
    grant_types: [client_credentials]
  - name: Reporting Job
    app_type: non_interactive
    grant_types: [client_credentials]
resourceServers:
  - name: Orders API
    identifier: https://api.example.test/orders
    scopes:
      - { value: read:orders, description: Read }
      - { value: write:orders, description: Write }
clientGrants:
  - client_id: Billing Worker
    audience: https://api.example.test/orders
    scope: [read:orders, write:orders]
    subject_type: client
  - client_id: Reporting Job
    audience: https://api.example.test/orders
    scope: [read:orders]
  - client_id: Billing Worker
    audience: https://example.auth0.com/api/v2/
    scope: [read:users, read:tenant_settings]
`;

describe.each(testDatabaseKinds())("tenant files with clientGrants (%s)", (kind) => {
  let deps: TTestDeps;
  let copy: TTestDeps;
  beforeAll(async () => {
    deps = await createTestDeps(kind);
    copy = await createTestDeps(kind);
  });
  afterAll(async () => {
    await deps?.cleanup();
    await copy?.cleanup();
  });

  it("imports client grants by client name in the import's transaction; the granted client gets a token", async () => {
    const report = await importTenant(deps, YAML);
    expect(report.created).toEqual(
      expect.arrayContaining([
        'clientGrant "Billing Worker" → "https://api.example.test/orders"',
        'clientGrant "Reporting Job" → "https://api.example.test/orders"',
      ]),
    );
    // Auth0's Management API grant becomes one for this server's, with the scopes it serves.
    expect(report.unsupported).toEqual(
      expect.arrayContaining([
        "clientGrants[0].subject_type",
        'clientGrants[2].scope "read:tenant_settings"',
      ]),
    );
    const grants = await listClientGrants(deps.db);
    expect(grants.map((g) => [g.clientName, g.audience, g.scope])).toEqual([
      ["Billing Worker", "https://api.example.test/orders", ["read:orders", "write:orders"]],
      ["Reporting Job", "https://api.example.test/orders", ["read:orders"]],
      ["Billing Worker", "https://portcullis.test/api/v2/", ["read:users"]],
    ]);
    expect(grants.every((g) => /^cgr_[A-Za-z0-9]{16}$/.test(g.id))).toBe(true);
    const res = await callToken(deps, {
      params: {
        grant_type: "client_credentials",
        client_id: "billingWorkerClientId0000000001",
        client_secret: "billing-worker-secret-0123456789",
        audience: "https://api.example.test/orders",
      },
    });
    expect({ status: res.status, scope: res.body.scope }).toEqual({
      status: 200,
      scope: "read:orders write:orders",
    });
  });

  it("re-importing updates a grant's scopes and leaves grants missing from the file alone", async () => {
    const report = await importTenant(
      deps,
      `clientGrants:\n  - client_id: billingWorkerClientId0000000001\n    audience: https://api.example.test/orders\n    scope: [read:orders]\n`,
    );
    expect(report.updated).toEqual([
      'clientGrant "billingWorkerClientId0000000001" → "https://api.example.test/orders"',
    ]);
    const grants = await listClientGrants(deps.db);
    expect(grants.map((g) => [g.clientName, g.scope])).toEqual([
      ["Billing Worker", ["read:orders"]],
      ["Reporting Job", ["read:orders"]],
      ["Billing Worker", ["read:users"]],
    ]);
  });

  it("exports client grants as the deploy CLI does (client by name) and the export imports into an empty database unchanged", async () => {
    const yaml = await exportTenant(deps);
    const file = parse(yaml) as { clientGrants: unknown };
    expect(file.clientGrants).toEqual([
      { client_id: "Billing Worker", audience: "https://api.example.test/orders", scope: ["read:orders"] },
      { client_id: "Reporting Job", audience: "https://api.example.test/orders", scope: ["read:orders"] },
      { client_id: "Billing Worker", audience: "https://portcullis.test/api/v2/", scope: ["read:users"] },
    ]);
    await importTenant(copy, yaml);
    const copied = await listClientGrants(copy.db);
    expect(copied.map((g) => [g.clientName, g.audience, g.scope])).toEqual([
      ["Billing Worker", "https://api.example.test/orders", ["read:orders"]],
      ["Reporting Job", "https://api.example.test/orders", ["read:orders"]],
      ["Billing Worker", "https://portcullis.test/api/v2/", ["read:users"]],
    ]);
    expect(await exportTenant(copy)).toBe(yaml);
  });

  it("refuses a grant for an unknown client or API, an undefined scope or a duplicate, and changes nothing", async () => {
    const before = await listClientGrants(deps.db);
    await expect(
      importTenant(
        deps,
        `clientGrants:
  - { client_id: Nobody, audience: https://api.example.test/orders, scope: [] }
  - { client_id: Billing Worker, audience: https://nope.example.test, scope: [] }
  - { client_id: Reporting Job, audience: https://api.example.test/orders, scope: [delete:orders] }
  - { client_id: Billing Worker, audience: https://api.example.test/orders, scope: [] }
  - { client_id: billingWorkerClientId0000000001, audience: https://api.example.test/orders, scope: [] }
`,
      ),
    ).rejects.toThrow(
      new RegExp(
        [
          'clientGrants\\[0\\]\\.client_id: no client named "Nobody"',
          'clientGrants\\[1\\]\\.audience: no API with identifier "https://nope.example.test"',
          'clientGrants\\[2\\]\\.scope: the API "https://api.example.test/orders" defines no scope "delete:orders"',
          "clientGrants\\[4\\]: the client already has a grant for this API in the file",
        ].join("[\\s\\S]*"),
      ),
    );
    expect(await listClientGrants(deps.db)).toEqual(before);
  });
});
