import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { findRuleByName, listRules } from "../store/rules.ts";
import { findRuleSettingSealed } from "../store/rule-settings.ts";
import { countClients } from "../store/clients.ts";
import { RULES_TEST_ENV } from "../testing/rules.ts";
import { importTenant } from "./import-tenant.ts";
import { searchLogs } from "../store/logs.ts";
import { exportTenantBundle } from "./export-tenant.ts";

const ADD_CLAIM = `function addClaim(user, context, callback) {
  context.idToken['https://example.com/plan'] = configuration.PLAN;
  callback(null, user, context);
}`;
const DENY = `function (user, context, callback) {
  callback(new UnauthorizedError('nope'));
}`;

const YAML = `
rules:
  - name: add-claim
    script: ./rules/add-claim.js
    stage: login_success
    enabled: true
    order: 2
  - name: Deny Everyone
    script: ./rules/Deny Everyone.js
    enabled: false
    order: 1
rulesConfigs:
  - key: PLAN
    value: enterprise-plan-secret
`;

function writeTenant(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-rules-yaml-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe.each(testDatabaseKinds())("tenant files with rules (%s)", (kind) => {
  let deps: TTestDeps;
  let copy: TTestDeps;
  beforeAll(async () => {
    deps = await createTestDeps(kind, RULES_TEST_ENV);
    copy = await createTestDeps(kind, RULES_TEST_ENV);
  });
  afterAll(async () => {
    await deps?.cleanup();
    await copy?.cleanup();
  });

  it("imports rules with scripts read beside the YAML and sealed rule settings; export writes scripts as files and no setting values", async () => {
    const dir = writeTenant({
      "tenant.yaml": YAML,
      "rules/add-claim.js": ADD_CLAIM,
      "rules/Deny Everyone.js": DENY,
    });
    const report = await importTenant(deps, YAML, { baseDir: dir });
    expect(report.created).toEqual(['rule "add-claim"', 'rule "Deny Everyone"', 'rulesConfig "PLAN"']);
    const rules = await listRules(deps.db);
    expect(rules.map((r) => [r.name, r.order, r.enabled, r.script])).toEqual([
      ["Deny Everyone", 1, false, DENY],
      ["add-claim", 2, true, ADD_CLAIM],
    ]);
    const setting = await findRuleSettingSealed(deps.db, "PLAN");
    expect(deps.box.open("rule-setting", setting!)).toBe("enterprise-plan-secret");

    // Importing again with a changed script updates in place and keeps the old version.
    const changed = ADD_CLAIM.replace("PLAN", "PLAN + '!'");
    writeFileSync(join(dir, "rules/add-claim.js"), changed);
    const again = await importTenant(deps, YAML, { baseDir: dir });
    expect(again.updated).toContain('rule "add-claim"');
    const updated = (await listRules(deps.db)).find((r) => r.name === "add-claim");
    expect(updated).toMatchObject({ script: changed, version: 2 });

    // Every change is audited with the importing actor (the CLI), rule by rule, and the import as a whole.
    const audits = await searchLogs(deps.db, { type: "sapi" }, { take: 50 });
    const byAction = (action: string) =>
      audits.filter((r) => (r.details as { action?: string } | undefined)?.action === action);
    expect(
      byAction("create rule")
        .map((r) => (r.details as { after: { name: string } }).after.name)
        .sort(),
    ).toEqual(["Deny Everyone", "add-claim"]);
    const update = byAction("update rule")[0]!.details as {
      actor: { id: string };
      before: { script: string; version: number };
      after: { script: string; version: number };
    };
    expect(update.actor.id).toBe("cli");
    expect(update.before.version).toBe(1);
    expect(update.after.version).toBe(2);
    expect(update.after.script).toContain("PLAN + '!'");
    expect(byAction("add rule setting")).toHaveLength(1);
    expect(byAction("import tenant")).toHaveLength(2);
    expect(JSON.stringify(audits)).not.toContain("enterprise-plan-secret");

    const bundle = await exportTenantBundle(deps);
    expect(bundle.files).toEqual({ "./rules/Deny Everyone.js": DENY, "./rules/add-claim.js": changed });
    expect(bundle.yaml).toContain("script: ./rules/add-claim.js");
    expect(bundle.yaml).toContain("- key: PLAN");
    expect(bundle.yaml).not.toContain("enterprise-plan-secret");

    // The export imports into an empty database; the setting without a value is reported, not invented.
    const exported = writeTenant({ "tenant.yaml": bundle.yaml, ...bundle.files });
    const moved = await importTenant(copy, bundle.yaml, { baseDir: exported });
    expect(moved.unsupported).toContain('rulesConfigs[0].value (missing: set "PLAN" through the admin API)');
    expect((await listRules(copy.db)).map((r) => [r.name, r.order, r.enabled, r.script])).toEqual(
      (await listRules(deps.db)).map((r) => [r.name, r.order, r.enabled, r.script]),
    );
  });

  it("refuses the whole file when a script is missing or does not compile, and writes nothing", async () => {
    const dir = writeTenant({ "rules/ok.js": ADD_CLAIM, "rules/broken.js": "function (u, c, cb) { if ( }" });
    const yaml = `
clients:
  - name: Should Not Appear
rules:
  - name: ok
    script: ./rules/ok.js
  - name: broken
    script: ./rules/broken.js
  - name: missing
    script: ./rules/missing.js
`;
    await expect(importTenant(copy, yaml, { baseDir: dir })).rejects.toThrow(
      /rules\[1\]\.script: does not compile: Unexpected token[\s\S]*rules\[2\]\.script: cannot read \.\/rules\/missing\.js/,
    );
    expect(await countClients(copy.db, { name: "Should Not Appear" })).toBe(0);
    expect(await findRuleByName(copy.db, "ok")).toBeNull();
  });

  it("refuses a script path outside the tenant file's directory", async () => {
    const outside = writeTenant({ "leak.js": ADD_CLAIM });
    const dir = writeTenant({ "rules/ok.js": ADD_CLAIM });
    const yaml = `
rules:
  - name: up
    script: ../${outside.split("/").pop()}/leak.js
  - name: etc
    script: /etc/hostname.js
`;
    await expect(importTenant(copy, yaml, { baseDir: dir })).rejects.toThrow(
      /rules\[0\]\.script: \.\.\/.*leak\.js is outside the tenant file's directory[\s\S]*rules\[1\]\.script: \/etc\/hostname\.js is outside/,
    );
    expect(await findRuleByName(copy.db, "up")).toBeNull();
  });
});
