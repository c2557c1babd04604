import {
  mkdtempSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { useFreshDeps } from "../testing/use-deps.ts";
import { findActionByName, insertAction, listActions } from "../store/actions.ts";
import { findActionVersion, listActionVersions } from "../store/action-versions.ts";
import { listActionSecretsSealed } from "../store/action-secrets.ts";
import { listFlowBindings } from "../store/flow-bindings.ts";
import { searchLogs } from "../store/logs.ts";
import { importTenant } from "./import-tenant.ts";
import { exportTenantBundle } from "./export-tenant.ts";

// A tenant file shaped like auth0-deploy-cli's own: its examples/yaml/tenant.yaml (action-example, secrets with
// its placeholder value, triggers listing every Auth0 trigger) and its e2e export (an action named with a space,
// runtime node18, supported trigger version v2).

const CUSTOM_CODE = `/**
 * Handler that will be called during the execution of a PostLogin flow.
 */
exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim("https://example.com/plan", event.secrets.PLAN);
};
`;
const EXAMPLE_CODE = `/** @type {PostLoginAction} */
exports.onExecutePostLogin = async (event, api) => {
  const _ = require("lodash");
  api.accessToken.setCustomClaim("https://example.com/n", _.size(event.user.app_metadata));
};
`;
const DRAFT_CODE = `exports.onExecutePostLogin = async (event, api) => {};\n`;

const A0DEPLOY_YAML = `
actions:
  - name: My Custom Action
    code: ./actions/My Custom Action/code.js
    dependencies: []
    deployed: true
    runtime: node18
    secrets:
      - name: PLAN
        value: enterprise-plan-secret
    status: built
    supported_triggers:
      - id: post-login
        version: v2
  - name: action-example
    code: ./actions/action-example/code.js
    dependencies:
      - name: lodash
        version: 4.17.21
    deployed: true
    secrets:
      - name: MY_SECRET
        value: _VALUE_NOT_SHOWN_
    status: built
    supported_triggers:
      - id: post-login
        version: v1
  - name: not-yet
    code: ./actions/not-yet/code.js
    deployed: false
    supported_triggers:
      - id: post-login
        version: v3
triggers:
  credentials-exchange: []
  post-change-password: []
  post-login:
    - action_name: action-example
      display_name: action-example-display-name
    - action_name: My Custom Action
      display_name: Plan claim
  post-user-registration: []
  pre-user-registration: []
  send-phone-message: []
`;

const A0DEPLOY_FILES = {
  "tenant.yaml": A0DEPLOY_YAML,
  "actions/My Custom Action/code.js": CUSTOM_CODE,
  "actions/action-example/code.js": EXAMPLE_CODE,
  "actions/not-yet/code.js": DRAFT_CODE,
};

function writeTenant(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-actions-yaml-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** Every file under `dir`, relative path → text. */
function readTree(dir: string, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(join(dir, prefix))) {
    const rel = prefix ? `${prefix}/${name}` : name;
    if (statSync(join(dir, rel)).isDirectory()) Object.assign(out, readTree(dir, rel));
    else out[rel] = readFileSync(join(dir, rel), "utf8");
  }
  return out;
}

/** Write an export the way `portcullis export <dir>` does; returns the directory. */
async function exportTo(deps: TTestDeps): Promise<string> {
  const bundle = await exportTenantBundle(deps);
  return writeTenant({ "tenant.yaml": bundle.yaml, ...bundle.files });
}

async function importDir(deps: TTestDeps, dir: string) {
  return importTenant(deps, readFileSync(join(dir, "tenant.yaml"), "utf8"), { baseDir: dir });
}

async function logCount(deps: TTestDeps): Promise<number> {
  return (await searchLogs(deps.db, {}, { take: 1000 })).length;
}

describe.each(testDatabaseKinds())("tenant files with actions (%s)", (kind) => {
  const fresh = useFreshDeps(kind);

  it("imports an a0deploy-shaped file: code from files, sealed secrets, deploys, the post-login flow in order; audited", async () => {
    const deps = await fresh();
    const dir = writeTenant(A0DEPLOY_FILES);
    const report = await importDir(deps, dir);
    expect(report.created).toEqual([
      'action "My Custom Action"',
      'action "action-example"',
      'action "not-yet"',
    ]);
    expect(report.updated).toEqual([
      'action "My Custom Action" deployed',
      'action "action-example" deployed',
      'trigger "post-login"',
    ]);
    // The placeholder a0deploy writes is not a value: reported, never stored.
    expect(report.unsupported).toContain(
      'actions[1].secrets[0].value (missing: set "MY_SECRET" of action "action-example" through the admin API)',
    );

    const custom = (await findActionByName(deps.db, "My Custom Action"))!;
    expect(custom).toMatchObject({ code: CUSTOM_CODE, runtime: "node18", deployedVersion: 1 });
    expect(custom.supportedTriggers).toEqual([{ id: "post-login", version: "v2" }]);
    expect((await findActionVersion(deps.db, custom.id, 1))!.code).toBe(CUSTOM_CODE);
    const example = (await findActionByName(deps.db, "action-example"))!;
    expect(example.dependencies).toEqual([{ name: "lodash", version: "4.17.21" }]);
    expect(example.runtime).toBe("node22");
    expect((await findActionByName(deps.db, "not-yet"))!.deployedVersion).toBeNull();

    const sealed = await listActionSecretsSealed(deps.db);
    expect(sealed.map((s) => s.name)).toEqual(["PLAN"]);
    expect(deps.box.open("action-secret", sealed[0]!.valueEnc)).toBe("enterprise-plan-secret");

    const flow = await listFlowBindings(deps.db, "post-login");
    expect(flow.map((b) => [b.actionName, b.displayName])).toEqual([
      ["action-example", "action-example-display-name"],
      ["My Custom Action", "Plan claim"],
    ]);
    // What logins run: both bound actions, deployed code, with the secret.
    const snapshot = await deps.actions.snapshot();
    expect(snapshot.postLogin.map((a) => [a.name, a.secrets])).toEqual([
      ["action-example", {}],
      ["My Custom Action", { PLAN: "enterprise-plan-secret" }],
    ]);

    const audits = await searchLogs(deps.db, { type: "sapi" }, { take: 100 });
    const actions = audits.map((r) => (r.details as { action: string; actor: { id: string } }).action);
    expect(actions.filter((a) => a === "create action")).toHaveLength(3);
    expect(actions.filter((a) => a === "deploy action")).toHaveLength(2);
    expect(actions).toContain("update post-login flow");
    expect(audits.every((r) => (r.details as { actor: { id: string } }).actor.id === "cli")).toBe(true);
    expect(JSON.stringify(audits)).not.toContain("enterprise-plan-secret");
  });

  it("re-importing the same file changes nothing and records nothing; a changed code file is deployed as a new version", async () => {
    const deps = await fresh();
    const dir = writeTenant(A0DEPLOY_FILES);
    await importDir(deps, dir);
    const records = await logCount(deps);
    const again = await importDir(deps, dir);
    expect(again.created).toEqual([]);
    expect(again.updated).toEqual([]);
    expect(await logCount(deps)).toBe(records);

    const changed = CUSTOM_CODE.replace("event.secrets.PLAN", "event.secrets.PLAN + '!'");
    writeFileSync(join(dir, "actions/My Custom Action/code.js"), changed);
    const third = await importDir(deps, dir);
    expect(third.updated).toEqual(['action "My Custom Action"', 'action "My Custom Action" deployed']);
    const custom = (await findActionByName(deps.db, "My Custom Action"))!;
    expect(custom.deployedVersion).toBe(2);
    expect((await listActionVersions(deps.db, custom.id)).map((v) => [v.number, v.code])).toEqual([
      [2, changed],
      [1, CUSTOM_CODE],
    ]);
    // The flow was already as the file says: not rewritten.
    expect(third.updated).not.toContain('trigger "post-login"');
  });

  it("exports each draft as actions/<name>/code.js with secret names only, and never a secret value", async () => {
    const deps = await fresh();
    await importDir(deps, writeTenant(A0DEPLOY_FILES));
    // A draft that differs from the deployed version exports as not deployed (the file holds the draft).
    const changedDraft = writeTenant({
      "tenant.yaml": `actions:\n  - name: action-example\n    code: ./x.js\n`,
      "x.js": EXAMPLE_CODE + "// edited\n",
    });
    await importDir(deps, changedDraft);

    const bundle = await exportTenantBundle(deps);
    expect(bundle.files).toEqual({
      "./actions/My Custom Action/code.js": CUSTOM_CODE,
      "./actions/action-example/code.js": EXAMPLE_CODE + "// edited\n",
      "./actions/not-yet/code.js": DRAFT_CODE,
    });
    const yaml = bundle.yaml.slice(bundle.yaml.indexOf("\nactions:"));
    expect(yaml).toContain(
      [
        "actions:",
        "  - name: My Custom Action",
        "    code: ./actions/My Custom Action/code.js",
        "    dependencies: []",
        "    deployed: true",
        "    runtime: node18",
        "    secrets:",
        "      - name: PLAN",
        "    status: built",
        "    supported_triggers:",
        "      - id: post-login",
        "        version: v2",
      ].join("\n"),
    );
    expect(yaml).toMatch(/name: action-example\n[\s\S]*?deployed: false/);
    expect(yaml).toContain(
      [
        "triggers:",
        "  post-login:",
        "    - action_name: action-example",
        "      display_name: action-example-display-name",
        "    - action_name: My Custom Action",
        "      display_name: Plan claim",
      ].join("\n"),
    );
    const sealed = (await listActionSecretsSealed(deps.db))[0]!.valueEnc;
    for (const text of [bundle.yaml, ...Object.values(bundle.files)]) {
      expect(text).not.toContain("enterprise-plan-secret");
      expect(text).not.toContain(sealed);
    }
    const parsed = parseYaml(bundle.yaml) as { actions: { secrets: object[] }[] };
    expect(parsed.actions.flatMap((a) => a.secrets)).toEqual([{ name: "PLAN" }]);
  });

  it("round trip: export, import into a fresh tenant, export again gives the same files", async () => {
    const a = await fresh();
    await importDir(a, writeTenant(A0DEPLOY_FILES));
    const first = await exportTo(a);

    const b = await fresh();
    const moved = await importDir(b, first);
    // Secret values do not travel: the fresh tenant reports the one it lacks, and gets it from the operator.
    expect(moved.unsupported).toContain(
      'actions[0].secrets[0].value (missing: set "PLAN" of action "My Custom Action" through the admin API)',
    );
    const secretDir = writeTenant({
      "tenant.yaml": `actions:\n  - name: My Custom Action\n    code: ./c.js\n    secrets:\n      - name: PLAN\n        value: enterprise-plan-secret\n`,
      "c.js": CUSTOM_CODE,
    });
    await importDir(b, secretDir);

    const second = await exportTo(b);
    expect(readTree(second)).toEqual(readTree(first));
    expect((await b.actions.snapshot()).postLogin.map((x) => [x.name, x.code, x.secrets])).toEqual(
      (await a.actions.snapshot()).postLogin.map((x) => [x.name, x.code, x.secrets]),
    );
  });

  it("refuses a dependency the server does not ship, listing the modules it does; nothing is written", async () => {
    const deps = await fresh();
    const dir = writeTenant({
      "actions/a/code.js": DRAFT_CODE,
      "tenant.yaml": "",
    });
    const yaml = `
clients:
  - name: Should Not Appear
actions:
  - name: a
    code: ./actions/a/code.js
    dependencies:
      - name: axios
        version: 1.6.0
`;
    await expect(importTenant(deps, yaml, { baseDir: dir })).rejects.toThrow(
      /actions\[0\]\.dependencies\[0\]\.name: "axios" is not available to actions; available modules: .*lodash@/,
    );
    expect(await listActions(deps.db)).toEqual([]);
  });

  it("refuses code paths that leave the tenant file's directory, and hostile action names", async () => {
    const deps = await fresh();
    const outside = writeTenant({ "secret.js": "exports.onExecutePostLogin = async () => {};" });
    const dir = writeTenant({ "tenant.yaml": "" });
    mkdirSync(join(dir, "actions"));
    symlinkSync(join(outside, "secret.js"), join(dir, "actions", "link.js"));
    const yaml = `
actions:
  - name: passwd
    code: ../../etc/passwd
  - name: absolute
    code: ${join(outside, "secret.js")}
  - name: linked
    code: ./actions/link.js
  - name: windows
    code: ..\\..\\etc\\passwd
`;
    const err = await importTenant(deps, yaml, { baseDir: dir }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toContain("actions[0].code: ../../etc/passwd is outside the tenant file's directory");
    expect(message).toMatch(/actions\[1\]\.code: .*secret\.js is outside the tenant file's directory/);
    expect(message).toContain("actions[2].code: ./actions/link.js is outside the tenant file's directory");
    expect(message).toContain("actions[3].code: ../../etc/passwd is outside the tenant file's directory");
    expect(message).not.toContain("root:");

    for (const name of ["..", "../evil", "a/b", "a\\\\b"]) {
      await expect(
        importTenant(deps, `actions:\n  - name: "${name}"\n    code: ./x.js\n`, { baseDir: dir }),
      ).rejects.toThrow(/actions\[0\]\.name: must not/);
    }
    expect(await listActions(deps.db)).toEqual([]);
  });

  it("export keeps a stored name that is no safe directory name inside actions/", async () => {
    const deps = await fresh();
    // Written past the validation (an older version, a manual edit): the export must still not escape.
    await insertAction(
      deps.db,
      {
        id: "act-hostile",
        name: "../../evil",
        code: DRAFT_CODE,
        dependencies: [],
        runtime: "node22",
        supportedTriggers: [{ id: "post-login", version: "v3" }],
      },
      deps.clock.now(),
    );
    const bundle = await exportTenantBundle(deps);
    expect(Object.keys(bundle.files)).toEqual(["./actions/..-..-evil/code.js"]);
  });

  it("refuses to bind an action that is not deployed, naming it, and code that does not compile; nothing is written", async () => {
    const deps = await fresh();
    const dir = writeTenant({
      "actions/draft/code.js": DRAFT_CODE,
      "actions/broken/code.js": "exports.x = (;",
    });
    const unbound = `
actions:
  - name: draft
    code: ./actions/draft/code.js
triggers:
  post-login:
    - action_name: draft
    - action_name: ghost
`;
    await expect(importTenant(deps, unbound, { baseDir: dir })).rejects.toThrow(
      /triggers\.post-login\[0\]\.action_name: action "draft" is not deployed; only deployed actions can be bound[\s\S]*triggers\.post-login\[1\]\.action_name: no action named "ghost"/,
    );
    const broken = `
actions:
  - name: broken
    code: ./actions/broken/code.js
    deployed: true
`;
    await expect(importTenant(deps, broken, { baseDir: dir })).rejects.toThrow(
      /actions\[0\]\.code: \.\/actions\/broken\/code\.js does not compile \(line 1, column \d+\): /,
    );
    expect(await listActions(deps.db)).toEqual([]);
    expect(await listFlowBindings(deps.db, "post-login")).toEqual([]);
  });

  it("keeps stored secrets the file lists without a value or leaves out, and sets the ones it gives", async () => {
    const deps = await fresh();
    const write = (secrets: string) =>
      writeTenant({
        "tenant.yaml": `actions:\n  - name: s\n    code: ./c.js\n    secrets:\n${secrets}`,
        "c.js": DRAFT_CODE,
      });
    const first = write("      - name: A\n        value: one\n      - name: B\n        value: two\n");
    await importDir(deps, first);
    await importDir(deps, write("      - name: A\n      - name: C\n        value: three\n"));
    const values = Object.fromEntries(
      (await listActionSecretsSealed(deps.db)).map((s) => [
        s.name,
        deps.box.open("action-secret", s.valueEnc),
      ]),
    );
    expect(values).toEqual({ A: "one", B: "two", C: "three" });
  });
});
