import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { useFreshDeps } from "../testing/use-deps.ts";
import { importTenant } from "./import-tenant.ts";

// Every step of a tenant import writes in one transaction: clients, APIs, databases, tenant settings, attack
// protection, rules, rule settings, actions (drafts, secrets, versions, the post-login flow), MFA settings and the
// audit records. A failure at a late step (a database trigger refusing an insert stands in for a disk error or a
// constraint the plan could not foresee) must leave the database exactly as it was.

const YAML = `
tenant:
  friendly_name: Atomic Corp
clients:
  - name: Atomic Web
    app_type: regular_web
    grant_types: [password, refresh_token]
databases:
  - name: Atomic-Staff
    enabled_clients: [Atomic Web]
resourceServers:
  - name: Atomic API
    identifier: https://api.atomic.test/
attackProtection:
  bruteForceProtection:
    enabled: true
    max_attempts: 3
    shields: [block]
rules:
  - name: atomic-rule
    script: ./rules/atomic-rule.js
    enabled: true
    order: 1
rulesConfigs:
  - key: ATOMIC
    value: atomic-setting
actions:
  - name: atomic-action
    code: ./actions/atomic-action/code.js
    deployed: true
    secrets:
      - name: ATOMIC_SECRET
        value: atomic-secret
triggers:
  post-login:
    - action_name: atomic-action
guardianFactors:
  - name: otp
    enabled: false
`;

function tenantDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-atomic-"));
  mkdirSync(join(dir, "rules"));
  writeFileSync(
    join(dir, "rules", "atomic-rule.js"),
    "function (user, context, callback) {\n  callback(null, user, context);\n}\n",
  );
  mkdirSync(join(dir, "actions", "atomic-action"), { recursive: true });
  writeFileSync(
    join(dir, "actions", "atomic-action", "code.js"),
    "exports.onExecutePostLogin = async (event, api) => {};\n",
  );
  return dir;
}

/** Every table's rows, as comparable text. */
async function contents(deps: TTestDeps): Promise<Record<string, string[]>> {
  const tables = [
    "Tenant",
    "Client",
    "Connection",
    "ConnectionClient",
    "ResourceServer",
    "AttackProtection",
    "Rule",
    "RuleVersion",
    "RuleSetting",
    "Action",
    "ActionVersion",
    "ActionSecret",
    "FlowBinding",
    "LogEvent",
  ];
  const out: Record<string, string[]> = {};
  for (const t of tables)
    out[t] = (await deps.db.all<Record<string, unknown>>(`SELECT * FROM "${t}"`))
      .map((r) => JSON.stringify(r))
      .sort();
  return out;
}

/** Make inserts into `table` fail until the returned function is called. */
async function refuseInserts(deps: TTestDeps, kind: string, table: string): Promise<() => Promise<void>> {
  if (kind === "sqlite") {
    await deps.db.run(
      `CREATE TRIGGER "refuse_insert" BEFORE INSERT ON "${table}" BEGIN SELECT RAISE(ABORT, '${table} inserts refused'); END`,
    );
    return async () => void (await deps.db.run(`DROP TRIGGER "refuse_insert"`));
  }
  await deps.db.run(
    `CREATE FUNCTION "refuse_insert"() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION '${table} inserts refused'; END $$ LANGUAGE plpgsql`,
  );
  await deps.db.run(
    `CREATE TRIGGER "refuse_insert" BEFORE INSERT ON "${table}" FOR EACH ROW EXECUTE FUNCTION "refuse_insert"()`,
  );
  return async () => {
    await deps.db.run(`DROP TRIGGER "refuse_insert" ON "${table}"`);
    await deps.db.run(`DROP FUNCTION "refuse_insert"()`);
  };
}

describe.each(testDatabaseKinds())("tenant import atomicity (%s)", (kind) => {
  const fresh = useFreshDeps(kind);

  it("a step failing after others wrote leaves nothing: no client, API, database, setting, rule, action or record", async () => {
    const deps = await fresh();
    const dir = tenantDir();
    const before = await contents(deps);
    const allow = await refuseInserts(deps, kind, "Rule");
    await expect(importTenant(deps, YAML, { baseDir: dir })).rejects.toThrow(/Rule inserts refused/);
    expect(await contents(deps)).toEqual(before);
    // The same file imports completely once the failure is gone (the transaction left no lock or half state).
    await allow();
    const report = await importTenant(deps, YAML, { baseDir: dir });
    expect(report.created).toEqual(
      expect.arrayContaining([
        'client "Atomic Web"',
        'database "Atomic-Staff"',
        'resourceServer "https://api.atomic.test/"',
      ]),
    );
    const after = await contents(deps);
    expect(after.Client!.some((r) => r.includes('"Atomic Web"'))).toBe(true);
    expect(after.Rule!.some((r) => r.includes('"atomic-rule"'))).toBe(true);
    expect(after.RuleSetting!.some((r) => r.includes('"ATOMIC"'))).toBe(true);
    expect(after.Tenant!.some((r) => r.includes('"Atomic Corp"'))).toBe(true);
    expect(after.LogEvent!.some((r) => r.includes('"import tenant tenant"'))).toBe(true);
  });

  it("an action step failing (the post-login flow, after the action, its secret and its version were written) leaves nothing", async () => {
    const deps = await fresh();
    const dir = tenantDir();
    const before = await contents(deps);
    const allow = await refuseInserts(deps, kind, "FlowBinding");
    await expect(importTenant(deps, YAML, { baseDir: dir })).rejects.toThrow(/FlowBinding inserts refused/);
    expect(await contents(deps)).toEqual(before);
    expect((await deps.actions.snapshot()).postLogin).toEqual([]);
    await allow();
    const report = await importTenant(deps, YAML, { baseDir: dir });
    expect(report.created).toContain('action "atomic-action"');
    expect(report.updated).toEqual(
      expect.arrayContaining(['action "atomic-action" deployed', 'trigger "post-login"']),
    );
    const after = await contents(deps);
    expect(after.Action!.some((r) => r.includes('"atomic-action"'))).toBe(true);
    expect(after.ActionVersion).toHaveLength(1);
    expect(after.ActionSecret!.some((r) => r.includes('"ATOMIC_SECRET"'))).toBe(true);
    expect(after.FlowBinding).toHaveLength(1);
    expect((await deps.actions.snapshot()).postLogin.map((a) => a.name)).toEqual(["atomic-action"]);
  });
});
