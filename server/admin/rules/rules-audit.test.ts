import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../../testing/test-deps.ts";
import { listLogs, type TLogRecord } from "../../store/logs.ts";
import { serializedAuditRows } from "../../testing/stored-rows.ts";
import { listRuleSettingsSealed } from "../../store/rule-settings.ts";
import { RULES_TEST_ENV, resetRules } from "../../testing/rules.ts";
import { AdminError } from "../admin-error.ts";
import type { TRulesActor } from "./rule-json.ts";
import { createRule as createRuleNow } from "./create-rule.ts";
import { updateRule as updateRuleNow } from "./update-rule.ts";
import { deleteRule as deleteRuleNow } from "./delete-rule.ts";
import { reorderRules as reorderRulesNow } from "./reorder-rules.ts";
import { listRules } from "./list-rules.ts";
import { listRuleVersions, rollbackRule as rollbackRuleNow } from "./rule-versions.ts";
import { diffRuleVersion } from "./diff-rule-version.ts";
import {
  deleteRuleSetting as deleteRuleSettingNow,
  listRuleSettings,
  setRuleSetting as setRuleSettingNow,
} from "./rule-settings.ts";
import { setRulesNetwork } from "./rules-network.ts";
import type { TDeps } from "../../config/deps.ts";
import { tryRules } from "./try-rules.ts";

const editor: TRulesActor = { id: "adm_editor", email: "editor@example.com", role: "rules-editor" };
const owner: TRulesActor = { id: "adm_owner", email: "owner@example.com", role: "owner" };
const NS = "https://portcullis.test/";

/**
 * Each change a second after the previous one: the records are then in order by time (log ids begin with it) and
 * the test can read them in sequence.
 */
function later<A extends unknown[], R>(fn: (deps: TDeps, ...args: A) => Promise<R>) {
  return (deps: TDeps & { clock: { advance(ms: number): void } }, ...args: A) => {
    deps.clock.advance(1000);
    return fn(deps, ...args);
  };
}
const createRule = later(createRuleNow);
const updateRule = later(updateRuleNow);
const deleteRule = later(deleteRuleNow);
const reorderRules = later(reorderRulesNow);
const rollbackRule = later(rollbackRuleNow);
const setRuleSetting = later(setRuleSettingNow);
const deleteRuleSetting = later(deleteRuleSettingNow);

const claimRule = (name: string, value: string) => ({
  name,
  script: `function (user, context, callback) {
  context.accessToken['${NS}team'] = '${value}';
  callback(null, user, context);
}`,
});

describe.each(testDatabaseKinds())("rules changes are audited (%s)", (kind) => {
  let deps: TTestDeps;

  beforeAll(async () => {
    deps = await createTestDeps(kind, RULES_TEST_ENV);
  });
  afterAll(async () => {
    await deps?.cleanup();
  });
  beforeEach(async () => {
    await resetRules(deps);
    await deps.db.run(`DELETE FROM "LogEvent"`);
  });

  /** Every admin change record, oldest first. */
  const changes = async (): Promise<TLogRecord[]> => (await listLogs(deps.db, { type: "sapi" })).reverse();
  const only = async () => {
    const all = await changes();
    expect(all).toHaveLength(1);
    return all[0]!;
  };

  it("records a created rule with its actor and script, and the version names its author", async () => {
    const { rule } = await createRule(deps, editor, claimRule("team-blue", "blue"));
    const rec = await only();
    expect(rec.user_name).toBe(editor.email);
    expect(rec.description).toBe(`create rule ${rule.id}`);
    expect(rec.details).toMatchObject({
      actor: { id: editor.id, email: editor.email, role: "rules-editor" },
      action: "create rule",
      target: rule.id,
      before: null,
      after: { id: rule.id, name: "team-blue", script: rule.script, enabled: true, order: 1, version: 1 },
    });
    const [v1] = await listRuleVersions(deps, editor, rule.id);
    expect(v1).toMatchObject({ version: 1, created_by: editor.email, is_current: true });
  });

  it("records a script change with before and after, and enable/disable as their own actions", async () => {
    const { rule } = await createRule(deps, editor, claimRule("team", "blue"));
    const next = claimRule("team", "green").script;
    await updateRule(deps, owner, rule.id, { script: next });
    await updateRule(deps, editor, rule.id, { enabled: false });
    await updateRule(deps, editor, rule.id, { enabled: true });
    const [, update, disable, enable] = await changes();
    expect(update!.details).toMatchObject({
      actor: { email: owner.email },
      action: "update rule",
      before: { name: "team", version: 1, script: rule.script },
      after: { name: "team", version: 2, script: next },
    });
    expect(update!.details?.after).not.toHaveProperty("enabled");
    expect(disable!.details).toMatchObject({
      action: "disable rule",
      before: { enabled: true },
      after: { enabled: false },
    });
    expect(enable!.details).toMatchObject({ action: "enable rule", after: { enabled: true } });
    const versions = await listRuleVersions(deps, editor, rule.id);
    expect(versions.map((v) => [v.version, v.created_by])).toEqual([
      [2, owner.email],
      [1, editor.email],
    ]);
  });

  it("records nothing for a change that changes nothing, or for a refused one", async () => {
    const { rule } = await createRule(deps, editor, claimRule("team", "blue"));
    await deps.db.run(`DELETE FROM "LogEvent"`);
    await updateRule(deps, editor, rule.id, { script: rule.script, enabled: true });
    const bad = updateRule(deps, editor, rule.id, {
      script: "function (user, context, callback) {\n  var = 1;\n}",
    });
    await expect(bad).rejects.toMatchObject({
      status: 400,
      code: "invalid_script",
      details: { line: 2, column: 7 },
    });
    await createRule(deps, editor, claimRule("other", "red"));
    await expect(updateRule(deps, editor, rule.id, { name: "other" })).rejects.toMatchObject({ status: 409 });
    expect((await changes()).map((c) => c.details?.action)).toEqual(["create rule"]);
    expect((await listRuleVersions(deps, editor, rule.id)).map((v) => v.version)).toEqual([1]);
  });

  it("puts a syntax error on line 1 at the column of the script itself", async () => {
    const err = await createRule(deps, editor, {
      name: "broken",
      script: "function (user, context, callback) { ) }",
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdminError);
    expect((err as AdminError).details).toEqual({ line: 1, column: 38 });
    expect(await changes()).toHaveLength(0);
  });

  it("records a deleted rule with everything needed to recreate it", async () => {
    const { rule } = await createRule(deps, editor, claimRule("doomed", "x"));
    await deleteRule(deps, editor, rule.id);
    const [, del] = await changes();
    expect(del!.details).toMatchObject({
      action: "delete rule",
      target: rule.id,
      before: { name: "doomed", script: rule.script, version: 1 },
      after: null,
    });
    await expect(deleteRule(deps, editor, rule.id)).rejects.toMatchObject({ status: 404 });
    expect(await changes()).toHaveLength(2);
  });

  it("reorders rules: the execution order changes which rule's claim wins, and the record has both orders", async () => {
    const [first, second] = [
      (await createRule(deps, editor, claimRule("set-blue", "blue"))).rule,
      (await createRule(deps, editor, claimRule("set-green", "green"))).rule,
    ];
    // The later rule overwrites the claim the earlier one set.
    expect((await tryRules(deps, editor, {})).access_token_claims).toEqual({ [`${NS}team`]: "green" });

    const reordered = await reorderRules(deps, editor, { ids: [second!.id, first!.id] });
    expect(reordered.map((r) => [r.name, r.order])).toEqual([
      ["set-green", 1],
      ["set-blue", 2],
    ]);
    expect((await listRules(deps, editor)).map((r) => r.name)).toEqual(["set-green", "set-blue"]);
    expect((await tryRules(deps, editor, {})).access_token_claims).toEqual({ [`${NS}team`]: "blue" });

    const rec = (await changes()).at(-1)!;
    expect(rec.details).toMatchObject({
      actor: { email: editor.email },
      action: "reorder rules",
      target: "rules",
      before: [
        { id: first!.id, order: 1 },
        { id: second!.id, order: 2 },
      ],
      after: [
        { id: second!.id, order: 1 },
        { id: first!.id, order: 2 },
      ],
    });
  });

  it("refuses an unknown or repeated id in a reorder and changes nothing", async () => {
    const { rule } = await createRule(deps, editor, claimRule("solo", "x"));
    await expect(reorderRules(deps, editor, { ids: [rule.id, "rul_nope"] })).rejects.toMatchObject({
      status: 404,
    });
    await expect(reorderRules(deps, editor, { ids: [rule.id, rule.id] })).rejects.toMatchObject({
      status: 400,
    });
    expect((await changes()).map((c) => c.details?.action)).toEqual(["create rule"]);
  });

  it("rolls back to an earlier version as a new version, shows the diff, and records it", async () => {
    const { rule } = await createRule(deps, editor, claimRule("team", "blue"));
    const edited = claimRule("team", "green").script;
    await updateRule(deps, editor, rule.id, { script: edited });

    const diff = await diffRuleVersion(deps, editor, rule.id, 1);
    expect(diff).toMatchObject({ version: 1, current_version: 2, added: 1, removed: 1 });
    const lines = diff.hunks.flatMap((h) => h.lines);
    expect(lines.find((l) => l.kind === "removed")).toEqual({
      kind: "removed",
      text: `  context.accessToken['${NS}team'] = 'blue';`,
      old_line: 2,
      new_line: null,
    });
    expect(lines.find((l) => l.kind === "added")).toMatchObject({ new_line: 2, old_line: null });
    expect(diff.hunks[0]!.header).toBe("@@ -1,4 +1,4 @@");

    const { rule: back } = await rollbackRule(deps, owner, rule.id, { version: 1 });
    expect(back).toMatchObject({ version: 3, script: rule.script });
    expect((await diffRuleVersion(deps, editor, rule.id, 1)).hunks).toEqual([]);
    expect((await tryRules(deps, editor, {})).access_token_claims).toEqual({ [`${NS}team`]: "blue" });
    const versions = await listRuleVersions(deps, editor, rule.id);
    expect(versions.map((v) => [v.version, v.created_by, v.is_current])).toEqual([
      [3, owner.email, true],
      [2, editor.email, false],
      [1, editor.email, false],
    ]);
    const rec = (await changes()).at(-1)!;
    expect(rec.details).toMatchObject({
      actor: { email: owner.email },
      action: "rollback rule",
      target: rule.id,
      before: { version: 2, script: edited },
      after: { version: 3, script: rule.script, restored_from_version: 1 },
    });

    // Rolling back to what is current changes nothing.
    await rollbackRule(deps, owner, rule.id, { version: 3 });
    expect(await changes()).toHaveLength(3);
    await expect(rollbackRule(deps, owner, rule.id, { version: 9 })).rejects.toMatchObject({ status: 404 });
  });

  it("records setting add, replace and delete by key, and never writes a value to the log", async () => {
    const first = "sk_live_first-secret-value-0123";
    const second = "sk_live_second-secret-value-4567";
    await setRuleSetting(deps, editor, "API_KEY", { value: first });
    await setRuleSetting(deps, owner, "API_KEY", { value: second });
    expect(await listRuleSettings(deps, editor)).toEqual([
      { key: "API_KEY", updated_at: expect.any(String) },
    ]);
    const [sealed] = await listRuleSettingsSealed(deps.db);
    expect(deps.box.open("rule-setting", sealed!.valueEnc)).toBe(second);
    await deleteRuleSetting(deps, editor, "API_KEY");
    await expect(deleteRuleSetting(deps, editor, "API_KEY")).rejects.toMatchObject({ status: 404 });
    await expect(setRuleSetting(deps, editor, "bad key!", { value: "x" })).rejects.toMatchObject({
      status: 400,
    });

    const all = await changes();
    expect(all.map((c) => [c.details?.action, c.user_name, c.details?.target])).toEqual([
      ["add rule setting", editor.email, "API_KEY"],
      ["replace rule setting", owner.email, "API_KEY"],
      ["delete rule setting", editor.email, "API_KEY"],
    ]);
    expect(all[0]!.details).toMatchObject({ before: null, after: { key: "API_KEY", value: "[redacted]" } });
    expect(all[1]!.details).toMatchObject({ before: { key: "API_KEY" }, after: { key: "API_KEY" } });
    expect(all[2]!.details).toMatchObject({ before: { key: "API_KEY", value: "[redacted]" }, after: null });
    // Not in any column of any log row, raw as stored.
    const raw = await serializedAuditRows(deps);
    expect(raw).not.toContain(first);
    expect(raw).not.toContain(second);
    expect(raw).not.toContain("sk_live");
  });

  it("keeps scripts in the record but scrubs a setting value written into one", async () => {
    const secret = "literal-secret-in-a-script-42";
    await setRuleSetting(deps, editor, "TOKEN", { value: secret });
    const script = `function (user, context, callback) {
  if (configuration.TOKEN !== '${secret}') return callback(new Error('x'));
  callback(null, user, context);
}`;
    const { rule } = await createRule(deps, editor, { name: "literal", script });
    await deleteRule(deps, editor, rule.id);
    const [, created, deleted] = await changes();
    const scrubbed = script.replace(secret, "[redacted]");
    expect(created!.details).toMatchObject({ after: { script: scrubbed } });
    expect(deleted!.details).toMatchObject({ before: { script: scrubbed } });
    expect(await serializedAuditRows(deps)).not.toContain(secret);
  });

  it("Try runs a rules editor's script with placeholder setting values, so no encoding can print the real ones", async () => {
    await setRuleSetting(deps, { ...editor, role: "admin" }, "API_KEY", { value: "sk-live-0123456789" });
    const script = `function (user, context, callback) {
  context.accessToken['${NS}reversed'] = configuration.API_KEY.split('').reverse().join('');
  callback(null, user, context);
}`;
    const asEditor = await tryRules(deps, editor, { script });
    expect(asEditor.access_token_claims).toEqual({ [`${NS}reversed`]: "]YEK_IPA fo eulav[" });
    expect(JSON.stringify(asEditor)).not.toContain("9876543210");
    // Admins who may change configuration try rules as logins run them.
    const asAdmin = await tryRules(deps, { ...editor, role: "admin" }, { script });
    expect(asAdmin.access_token_claims).toEqual({ [`${NS}reversed`]: "9876543210-evil-ks" });
  });

  it("records fetch allowlist changes, which only configuration admins may make", async () => {
    // What the server may connect to is configuration: a rules editor could otherwise point rules at internal hosts.
    await expect(setRulesNetwork(deps, editor, { allowed_hosts: ["169.254.169.254"] })).rejects.toMatchObject(
      {
        status: 403,
      },
    );
    expect(await changes()).toEqual([]);
    await setRulesNetwork(deps, { ...editor, role: "admin" }, { allowed_hosts: ["API.example.com"] });
    expect((await only()).details).toMatchObject({
      action: "update rules network",
      before: { allowed_hosts: [] },
      after: { allowed_hosts: ["api.example.com"] },
    });
  });

  it("stamps a rule, its versions and a rule setting with the injected clock's time, the same as their records", async () => {
    const createdAt = new Date("2031-05-06T07:08:09.250Z");
    const editedAt = new Date("2031-05-07T10:11:12.500Z");
    deps.clock.set(createdAt);
    const { rule } = await createRuleNow(deps, editor, claimRule("team-clock", "before"));
    deps.clock.set(editedAt);
    await updateRuleNow(deps, editor, rule.id, { script: claimRule("team-clock", "after").script });
    await setRuleSettingNow(deps, editor, "CLOCK_KEY", { value: "clock-value" });
    // Read back from the store, not from what the use cases returned.
    expect((await listRules(deps, editor)).find((r) => r.id === rule.id)).toMatchObject({
      version: 2,
      created_at: createdAt.toISOString(),
      updated_at: editedAt.toISOString(),
    });
    expect(
      (await listRuleVersions(deps, editor, rule.id)).map((v) => ({ version: v.version, at: v.created_at })),
    ).toEqual([
      { version: 2, at: editedAt.toISOString() },
      { version: 1, at: createdAt.toISOString() },
    ]);
    expect(await listRuleSettings(deps, editor)).toEqual([
      { key: "CLOCK_KEY", updated_at: editedAt.toISOString() },
    ]);
    // The two changes made at the same instant have no fixed order between them (log ids end at random).
    const records = (await changes()).map((c) => ({ action: c.details?.action, date: c.date }));
    expect(records).toHaveLength(3);
    expect(records).toEqual(
      expect.arrayContaining([
        { action: "create rule", date: createdAt.toISOString() },
        { action: "update rule", date: editedAt.toISOString() },
        { action: "add rule setting", date: editedAt.toISOString() },
      ]),
    );
  });
});
