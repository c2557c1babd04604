import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../../testing/test-deps.ts";
import { listLogs, type TLogRecord } from "../../store/logs.ts";
import { serializedAuditRows } from "../../testing/stored-rows.ts";
import { RULES_TEST_ENV } from "../../testing/rules.ts";
import { listActions as listActionRows, deleteAction as deleteActionRow } from "../../store/actions.ts";
import { ACTION_NO_HANDLER_WARNING, ACTION_REDIRECT_WARNING } from "../../actions/action-warnings.ts";
import { MAX_ACTION_VERSIONS } from "../../actions/action-settings.ts";
import type { TDeps } from "../../config/deps.ts";
import { AdminError } from "../admin-error.ts";
import type { TActionsActor } from "./action-json.ts";
import { DEFAULT_ACTION_CODE } from "./action-json.ts";
import { createAction as createActionNow } from "./create-action.ts";
import { updateAction as updateActionNow } from "./update-action.ts";
import { deleteAction as deleteActionNow } from "./delete-action.ts";
import { deployAction as deployActionNow } from "./deploy-action.ts";
import { rollbackAction as rollbackActionNow } from "./rollback-action.ts";
import { updatePostLoginFlow as updateFlowNow } from "./update-post-login-flow.ts";
import { getAction } from "./get-action.ts";
import { listActions } from "./list-actions.ts";
import { listActionVersions } from "./list-action-versions.ts";
import { diffActionVersion } from "./diff-action-version.ts";
import { getPostLoginFlow } from "./get-post-login-flow.ts";

const editor: TActionsActor = { id: "adm_editor", email: "editor@example.com", role: "rules-editor" };
const owner: TActionsActor = { id: "adm_owner", email: "owner@example.com", role: "owner" };
const NS = "https://portcullis.test/";
const SECRET = "s3cret-value-never-logged";
const OTHER_SECRET = "another-secret-value-42";

/** Each change a second after the previous one, so audit records read in order. */
function later<A extends unknown[], R>(fn: (deps: TDeps, ...args: A) => Promise<R>) {
  return (deps: TTestDeps, ...args: A) => {
    deps.clock.advance(1000);
    return fn(deps, ...args);
  };
}
const createAction = later(createActionNow);
const updateAction = later(updateActionNow);
const deleteAction = later(deleteActionNow);
const deployAction = later(deployActionNow);
const rollbackAction = later(rollbackActionNow);
const updateFlow = later(updateFlowNow);

const claimCode = (value: string) => `exports.onExecutePostLogin = async (event, api) => {
  api.idToken.setCustomClaim('${NS}team', '${value}');
};
`;

/** The refusal a use case throws, for comparing status, code and details. */
async function refusal(p: Promise<unknown>): Promise<AdminError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AdminError);
  return err as AdminError;
}

describe.each(testDatabaseKinds())("actions in the admin API (%s)", (kind) => {
  let deps: TTestDeps;

  beforeAll(async () => {
    deps = await createTestDeps(kind, RULES_TEST_ENV);
  });
  afterAll(async () => {
    await deps?.cleanup();
  });
  beforeEach(async () => {
    for (const a of await listActionRows(deps.db)) await deleteActionRow(deps.db, a.id);
    await deps.db.run(`DELETE FROM "LogEvent"`);
  });

  /** Every admin change record, oldest first. */
  const changes = async (): Promise<TLogRecord[]> => (await listLogs(deps.db, { type: "sapi" })).reverse();

  it("creates a draft from the template with defaults, secrets by name only, audited without values", async () => {
    const { action, warnings } = await createAction(deps, editor, {
      name: "Team claim",
      secrets: [{ name: "API_KEY", value: SECRET }],
    });
    expect(action).toMatchObject({
      name: "Team claim",
      code: DEFAULT_ACTION_CODE,
      dependencies: [],
      runtime: "node22",
      supported_triggers: [{ id: "post-login", version: "v3" }],
      deployed_version: null,
      all_changes_deployed: false,
      status: "built",
      bound_triggers: [],
    });
    expect(action.secrets).toEqual([{ name: "API_KEY", updated_at: expect.any(String) as string }]);
    expect(JSON.stringify(action)).not.toContain(SECRET);
    expect(warnings).toEqual([]);
    const sealed = await deps.db.all<{ valueEnc: string }>(`SELECT "valueEnc" FROM "ActionSecret"`);
    expect(sealed).toHaveLength(1);
    expect(sealed[0]!.valueEnc).not.toContain(SECRET);
    const [rec] = await changes();
    expect(rec!.details).toMatchObject({
      actor: { email: editor.email, role: "rules-editor" },
      action: "create action",
      target: action.id,
      before: null,
      after: { id: action.id, name: "Team claim", secrets: ["API_KEY"], deployed_version: null },
    });
    expect(await serializedAuditRows(deps)).not.toContain(SECRET);
  });

  it("refuses bad input with the failing field, unknown modules with the list, code that does not compile with its place", async () => {
    const badName = await refusal(createAction(deps, editor, { name: "a/b" }));
    expect(badName.status).toBe(400);
    expect(badName.details).toEqual([
      { path: "name", message: "must not contain / or \\ or control characters" },
    ]);

    const badDep = await refusal(
      createAction(deps, editor, { name: "dep", dependencies: [{ name: "left-pad", version: "1.0.0" }] }),
    );
    expect(badDep.status).toBe(400);
    expect(badDep.message).toMatch(/"left-pad" is not available to actions; available modules: .*lodash@/);
    expect(badDep.details).toMatchObject([{ path: "dependencies[0].name" }]);

    const badTrigger = await refusal(
      createAction(deps, editor, { name: "t", supported_triggers: [{ id: "pre-user-registration" }] }),
    );
    expect(badTrigger.details).toMatchObject([{ path: "supported_triggers[0].id" }]);

    const unknownField = await refusal(createAction(deps, editor, { name: "u", script: "x" }));
    expect(unknownField.message).toContain('unknown field "script"');

    const broken = await refusal(
      createAction(deps, editor, {
        name: "broken",
        code: "exports.onExecutePostLogin = async (event, api) => {\n  var = 1;\n};",
      }),
    );
    expect(broken).toMatchObject({ status: 400, code: "invalid_code" });
    expect(broken.details).toMatchObject({ path: "code", line: 2, column: 7 });

    const notObject = await refusal(createAction(deps, editor, [1]));
    expect(notObject.status).toBe(400);

    await createAction(deps, editor, { name: "taken" });
    const taken = await refusal(createAction(deps, editor, { name: "taken" }));
    expect(taken.status).toBe(409);
    expect((await changes()).map((c) => c.details?.action)).toEqual(["create action"]);
  });

  it("warns about code without a handler and about unguarded redirects", async () => {
    const { warnings } = await createAction(deps, editor, { name: "w", code: "const x = 1;" });
    expect(warnings).toEqual([ACTION_NO_HANDLER_WARNING]);
    const { action } = await createAction(deps, editor, { name: "w2" });
    const saved = await updateAction(deps, editor, action.id, {
      code: "exports.onExecutePostLogin = async (event, api) => { api.redirect.sendUserTo('https://x.test'); };",
    });
    expect(saved.warnings).toEqual([ACTION_REDIRECT_WARNING]);
  });

  it("keeps, sets, replaces and removes secrets as listed; audit names them, never their values", async () => {
    const { action } = await createAction(deps, editor, {
      name: "secrets",
      secrets: [
        { name: "KEEP", value: SECRET },
        { name: "DROP", value: OTHER_SECRET },
      ],
    });
    const missing = await refusal(
      updateAction(deps, editor, action.id, { secrets: [{ name: "KEEP" }, { name: "NEW" }] }),
    );
    expect(missing.status).toBe(400);
    expect(missing.details).toEqual([{ path: "secrets[1].value", message: "is required for a new secret" }]);

    const { action: after } = await updateAction(deps, editor, action.id, {
      secrets: [{ name: "KEEP" }, { name: "NEW", value: "brand-new-value" }],
      // A secret's value pasted into the code is redacted from the audit record.
      code: `exports.onExecutePostLogin = async () => { const k = '${SECRET}'; const o = '${OTHER_SECRET}'; };`,
    });
    expect(after.secrets.map((s) => s.name)).toEqual(["KEEP", "NEW"]);
    const rec = (await changes()).at(-1)!;
    expect(rec.details).toMatchObject({
      action: "update action",
      before: { secrets: ["DROP", "KEEP"] },
      after: { secrets: ["KEEP", "NEW"], secrets_set: ["NEW"] },
    });
    expect(JSON.stringify(rec.details)).toContain("[redacted]");
    const audit = await serializedAuditRows(deps);
    for (const v of [SECRET, OTHER_SECRET, "brand-new-value"]) expect(audit).not.toContain(v);

    // Replacing a value is recorded by name.
    await updateAction(deps, editor, action.id, { secrets: [{ name: "KEEP", value: "replaced-value" }] });
    expect((await changes()).at(-1)!.details).toMatchObject({
      before: { secrets: ["KEEP", "NEW"] },
      after: { secrets: ["KEEP"], secrets_set: ["KEEP"] },
    });
    expect(await serializedAuditRows(deps)).not.toContain("replaced-value");
  });

  it("records nothing for an update that changes nothing", async () => {
    const { action } = await createAction(deps, editor, {
      name: "same",
      secrets: [{ name: "K", value: SECRET }],
    });
    await updateAction(deps, editor, action.id, { code: action.code, secrets: [{ name: "K" }] });
    expect((await changes()).map((c) => c.details?.action)).toEqual(["create action"]);
  });

  it("deploys the draft as a new version, reports undeployed changes, lists and diffs versions", async () => {
    const { action } = await createAction(deps, editor, { name: "deployable", code: claimCode("blue") });
    const first = await deployAction(deps, owner, action.id);
    expect(first.action.deployed_version).toMatchObject({
      number: 1,
      deployed: true,
      code: claimCode("blue"),
    });
    expect(first.action.all_changes_deployed).toBe(true);

    const draft = await updateAction(deps, editor, action.id, { code: claimCode("green") });
    expect(draft.action.all_changes_deployed).toBe(false);
    expect(draft.action.deployed_version?.number).toBe(1);

    const second = await deployAction(deps, editor, action.id);
    expect(second.action.deployed_version).toMatchObject({ number: 2, code: claimCode("green") });
    const { versions, total } = await listActionVersions(deps, editor, action.id);
    expect(total).toBe(2);
    expect(versions.map((v) => [v.number, v.deployed, v.created_by])).toEqual([
      [2, true, editor.email],
      [1, false, owner.email],
    ]);

    const diff = await diffActionVersion(deps, editor, action.id, 1);
    expect(diff).toMatchObject({ number: 1, deployed_version: 2, added: 1, removed: 1 });
    expect(diff.hunks[0]!.lines.filter((l) => l.kind !== "unchanged").map((l) => l.text.trim())).toEqual([
      `api.idToken.setCustomClaim('${NS}team', 'blue');`,
      `api.idToken.setCustomClaim('${NS}team', 'green');`,
    ]);
    expect((await diffActionVersion(deps, editor, action.id, 2)).hunks).toEqual([]);
    expect((await refusal(diffActionVersion(deps, editor, action.id, 9))).status).toBe(404);

    const deploys = (await changes()).filter((c) => c.details?.action === "deploy action");
    expect(
      deploys.map((d) => [
        d.details?.before,
        (d.details?.after as { deployed_version: number }).deployed_version,
      ]),
    ).toEqual([
      [{ id: action.id, name: "deployable", deployed_version: null }, 1],
      [{ id: action.id, name: "deployable", deployed_version: 1 }, 2],
    ]);
  });

  it(`keeps at most ${MAX_ACTION_VERSIONS} versions`, async () => {
    const { action } = await createAction(deps, editor, { name: "many" });
    for (let i = 0; i < MAX_ACTION_VERSIONS + 2; i++) await deployActionNow(deps, editor, action.id);
    const { versions } = await listActionVersions(deps, editor, action.id);
    expect(versions).toHaveLength(MAX_ACTION_VERSIONS);
    expect(versions[0]!.number).toBe(MAX_ACTION_VERSIONS + 2);
    expect(versions.at(-1)!.number).toBe(3);
  });

  it("rolls back to a version as a new deployed version, the draft set to it, audited from and to", async () => {
    const { action } = await createAction(deps, editor, { name: "rollback", code: claimCode("v1") });
    await deployAction(deps, editor, action.id);
    await updateAction(deps, editor, action.id, {
      code: claimCode("v2"),
      dependencies: [{ name: "lodash", version: "4" }],
    });
    await deployAction(deps, editor, action.id);
    await updateAction(deps, editor, action.id, { code: claimCode("unsaved draft") });

    const { action: back } = await rollbackAction(deps, owner, action.id, 1);
    expect(back).toMatchObject({
      code: claimCode("v1"),
      dependencies: [],
      deployed_version: { number: 3, code: claimCode("v1"), deployed: true },
      all_changes_deployed: true,
    });
    expect((await changes()).at(-1)!.details).toMatchObject({
      actor: { email: owner.email },
      action: "rollback action",
      before: { deployed_version: 2, draft_code: claimCode("unsaved draft") },
      after: { deployed_version: 3, restored_from_version: 1, code: claimCode("v1") },
    });
    expect((await refusal(rollbackAction(deps, owner, action.id, 7))).status).toBe(404);
    expect((await refusal(rollbackAction(deps, owner, "nope", 1))).status).toBe(404);
  });

  it("binds only deployed actions to the post-login flow, in order, each once; refusals name the action", async () => {
    const { action: a } = await createAction(deps, editor, { name: "first" });
    const { action: b } = await createAction(deps, editor, { name: "second" });
    const notDeployed = await refusal(
      updateFlow(deps, editor, { bindings: [{ ref: { type: "action_name", value: "first" } }] }),
    );
    expect(notDeployed.status).toBe(400);
    expect(notDeployed.message).toContain('"first" is not deployed');
    expect(notDeployed.details).toMatchObject([{ path: "bindings[0].ref" }]);

    await deployAction(deps, editor, a.id);
    await deployAction(deps, editor, b.id);
    const unknown = await refusal(
      updateFlow(deps, editor, { bindings: [{ ref: { type: "action_id", value: "missing-id" } }] }),
    );
    expect(unknown.message).toContain('"missing-id"');
    const twice = await refusal(
      updateFlow(deps, editor, {
        bindings: [
          { ref: { type: "action_id", value: a.id } },
          { ref: { type: "action_name", value: "first" } },
        ],
      }),
    );
    expect(twice.details).toMatchObject([{ path: "bindings[1].ref" }]);

    const flow = await updateFlow(deps, editor, {
      bindings: [
        { ref: { type: "action_name", value: "second" }, display_name: "Second one" },
        { ref: { type: "action_id", value: a.id } },
      ],
    });
    expect(flow.bindings.map((x) => [x.trigger_id, x.display_name, x.action.name])).toEqual([
      ["post-login", "Second one", "second"],
      ["post-login", "first", "first"],
    ]);
    expect((await getPostLoginFlow(deps, editor)).bindings).toEqual(flow.bindings);
    expect((await getAction(deps, editor, a.id)).action.bound_triggers).toEqual(["post-login"]);
    const listed = await listActions(deps, editor);
    expect(listed.actions.map((x) => [x.name, x.bound_triggers])).toEqual([
      ["first", ["post-login"]],
      ["second", ["post-login"]],
    ]);

    // Reordering by binding id keeps the display names given.
    const reordered = await updateFlow(deps, editor, {
      bindings: [
        { ref: { type: "binding_id", value: flow.bindings[1]!.id } },
        { ref: { type: "binding_id", value: flow.bindings[0]!.id }, display_name: "Second one" },
      ],
    });
    expect(reordered.bindings.map((x) => x.action.name)).toEqual(["first", "second"]);
    expect((await changes()).at(-1)!.details).toMatchObject({
      action: "update post-login flow",
      target: "post-login",
      before: [{ action_name: "second" }, { action_name: "first" }],
      after: [{ action_name: "first" }, { action_name: "second", display_name: "Second one" }],
    });
  });

  it("refuses to delete a bound action (409) unless forced; the record keeps the action without secret values", async () => {
    const { action } = await createAction(deps, editor, {
      name: "bound",
      code: `exports.onExecutePostLogin = async () => { const k = '${SECRET}'; };`,
      secrets: [{ name: "K", value: SECRET }],
    });
    await deployAction(deps, editor, action.id);
    await updateFlow(deps, editor, { bindings: [{ ref: { type: "action_id", value: action.id } }] });
    const bound = await refusal(deleteAction(deps, editor, action.id));
    expect(bound).toMatchObject({ status: 409, code: "action_bound" });
    expect(bound.message).toContain('"bound" is bound to the post-login flow');

    await deleteAction(deps, editor, action.id, { force: true });
    expect((await getPostLoginFlow(deps, editor)).bindings).toEqual([]);
    expect((await refusal(getAction(deps, editor, action.id))).status).toBe(404);
    expect((await changes()).at(-1)!.details).toMatchObject({
      action: "delete action",
      before: { name: "bound", secrets: ["K"], bound_triggers: ["post-login"], deployed_version: 1 },
      after: null,
    });
    expect(await serializedAuditRows(deps)).not.toContain(SECRET);
    expect((await refusal(deleteAction(deps, editor, action.id))).status).toBe(404);
  });

  it("answers 404 for an unknown action everywhere", async () => {
    for (const call of [
      () => getAction(deps, editor, "nope"),
      () => updateAction(deps, editor, "nope", { name: "x" }),
      () => deployAction(deps, editor, "nope"),
      () => listActionVersions(deps, editor, "nope"),
      () => diffActionVersion(deps, editor, "nope", 1),
    ])
      expect((await refusal(call())).status).toBe(404);
  });
});
