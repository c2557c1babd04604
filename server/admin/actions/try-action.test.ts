import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../../testing/test-deps.ts";
import { RULES_TEST_ENV } from "../../testing/rules.ts";
import { adminOf } from "../../testing/admin-actors.ts";
import { AdminError } from "../admin-error.ts";
import { createAction } from "./create-action.ts";
import { tryAction } from "./try-action.ts";

const NS = "https://portcullis.test/";
const SECRET = "try-secret-value-0123";
const owner = adminOf("owner");
const editor = adminOf("rules-editor");

const code = (body: string) => `exports.onExecutePostLogin = async (event, api) => {\n${body}\n};\n`;

describe.each(testDatabaseKinds())("Try an action (%s)", (kind) => {
  let deps: TTestDeps;
  let id: string;

  beforeAll(async () => {
    deps = await createTestDeps(kind, RULES_TEST_ENV);
    id = (
      await createAction(deps, owner, {
        name: "try-me",
        code: code(`  console.log("hello " + event.user.email);
  api.idToken.setCustomClaim("${NS}email", event.user.email);
  api.accessToken.setCustomClaim("${NS}key", event.secrets.API_KEY);
  api.accessToken.addScope("read:extra");
  const hit = api.cache.get("k");
  api.cache.set("k", "v");
  api.idToken.setCustomClaim("${NS}cached", hit === undefined ? "miss" : "hit");`),
        secrets: [{ name: "API_KEY", value: SECRET }],
      })
    ).action.id;
  });
  afterAll(async () => {
    await deps?.cleanup();
  });

  it("runs the draft against a realistic sample event and returns its commands, console and trace", async () => {
    const r = await tryAction(deps, owner, id, {});
    expect(r.ok).toBe(true);
    expect(r.commands.idTokenClaims).toEqual([
      { action: "try-me", name: `${NS}email`, value: "j+smith@example.com" },
      { action: "try-me", name: `${NS}cached`, value: "miss" },
    ]);
    expect(r.commands.scopes).toEqual([{ action: "try-me", op: "add", scope: "read:extra" }]);
    expect(r.console.join("\n")).toContain("hello j+smith@example.com");
    expect(r.trace).toMatchObject([{ name: "try-me", outcome: "ok" }]);
    expect(r).not.toHaveProperty("failure");
    // The secret's value was used but never comes back.
    expect(r.commands.accessTokenClaims).toEqual([
      { action: "try-me", name: `${NS}key`, value: "[redacted]" },
    ]);
    expect(JSON.stringify(r)).not.toContain(SECRET);
  });

  it("starts with an empty cache every time and keeps nothing a login would see", async () => {
    await tryAction(deps, owner, id, {});
    const again = await tryAction(deps, owner, id, {});
    expect(again.commands.idTokenClaims.at(-1)?.value).toBe("miss");
    expect(deps.actions.cache.entries(id, deps.clock.now().getTime())).toEqual({});
  });

  it("gives roles that may not change configuration placeholders, not secret values", async () => {
    const r = await tryAction(deps, editor, id, {});
    expect(r.commands.accessTokenClaims[0]?.value).toBe("[value of API_KEY]");
  });

  it("runs unsaved code and a given event (whose own secrets are replaced by the action's)", async () => {
    const r = await tryAction(deps, owner, id, {
      code: code(`  api.idToken.setCustomClaim("${NS}plan", event.user.app_metadata.plan);
  api.idToken.setCustomClaim("${NS}has", Object.keys(event.secrets).join(","));`),
      event: { user: { app_metadata: { plan: "gold" } }, secrets: { FORGED: "x" } },
    });
    expect(r.commands.idTokenClaims.map((c) => c.value)).toEqual(["gold", "API_KEY"]);
  });

  it("reports a failing action with its message, and a deny as ok with the deny command", async () => {
    const failed = await tryAction(deps, owner, id, {
      code: code(`  throw new Error("broken: " + event.secrets.API_KEY);`),
    });
    expect(failed.ok).toBe(false);
    expect(failed.failure).toMatchObject({ action: "try-me" });
    expect(failed.failure?.message).toContain("broken: [redacted]");
    const denied = await tryAction(deps, owner, id, { code: code(`  api.access.deny("not today");`) });
    expect(denied).toMatchObject({
      ok: true,
      commands: { denied: { action: "try-me", reason: "not today" } },
    });
  });

  it("refuses an unknown action (404) and a bad event or code (400 naming the field)", async () => {
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: unknown) => e as AdminError,
      );
    expect((await refusal(tryAction(deps, owner, "nope", {})))?.status).toBe(404);
    const notObject = await refusal(tryAction(deps, owner, id, { event: [1] }));
    expect(notObject).toMatchObject({ status: 400, details: [{ path: "event" }] });
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) deep = { d: deep };
    expect(await refusal(tryAction(deps, owner, id, { event: deep }))).toMatchObject({
      status: 400,
      details: [{ path: "event", message: "must nest at most 32 levels" }],
    });
    expect((await refusal(tryAction(deps, owner, id, { code: 5 })))?.details).toMatchObject([
      { path: "code" },
    ]);
  });
});
