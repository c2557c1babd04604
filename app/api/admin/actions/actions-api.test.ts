import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDeps } from "@/server/config/deps";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "@/server/testing/test-deps";
import { RULES_TEST_ENV, tokenClaims } from "@/server/testing/rules";
import { seedFixture, type TFixture } from "@/server/testing/fixtures";
import { callToken, realmParams } from "@/server/testing/token-calls";
import * as actionsRoute from "./route";
import * as actionRoute from "./[id]/route";
import * as deployRoute from "./[id]/deploy/route";
import * as versionsRoute from "./[id]/versions/route";
import * as rollbackRoute from "./[id]/versions/[number]/rollback/route";
import * as diffRoute from "./[id]/versions/[number]/diff/route";
import * as flowRoute from "./flows/post-login/route";
import * as testRoute from "./[id]/test/route";

const TOKEN = "admin-token-for-tests-0123456789abcdef";
const NS = "https://portcullis.test/";

type THandler<P> = (req: Request, ctx: { params: Promise<P> }) => Promise<Response>;

async function call<P>(
  handler: THandler<P>,
  opts: { method?: string; body?: unknown; params?: P; token?: string | null; query?: string } = {},
  // Response bodies are checked field by field with expect(); a precise type per route adds nothing here.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
): Promise<{ status: number; body: any }> {
  const headers = new Headers({ "content-type": "application/json" });
  if (opts.token !== null) headers.set("authorization", `Bearer ${opts.token ?? TOKEN}`);
  const res = await handler(
    new Request(`https://portcullis.test/api/admin/actions${opts.query ?? ""}`, {
      method: opts.method ?? "POST",
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    }),
    { params: Promise.resolve((opts.params ?? {}) as P) },
  );
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const claimCode = (value: string) =>
  `exports.onExecutePostLogin = async (event, api) => {\n  api.idToken.setCustomClaim('${NS}team', '${value}');\n};\n`;

describe.each(testDatabaseKinds())("admin API for actions (%s)", (kind) => {
  let deps: TTestDeps;
  let fx: TFixture;

  beforeAll(async () => {
    deps = await createTestDeps(kind, { ...RULES_TEST_ENV, PORTCULLIS_ADMIN_API_TOKEN: TOKEN });
    fx = await seedFixture(deps);
    setDeps(deps);
  });

  /** The team claim of the ID token a password login gets now. */
  const teamClaim = async () =>
    tokenClaims(
      await callToken(deps, {
        params: realmParams(fx.clients.web, fx.users.alice, "Username-Password-Authentication", {
          scope: "openid",
        }),
      }),
    ).id[`${NS}team`];
  afterAll(async () => {
    await deps?.cleanup();
  });

  it("answers 401 without the admin token", async () => {
    const res = await call(actionsRoute.GET, { method: "GET", token: null });
    expect(res).toMatchObject({ status: 401, body: { error: "unauthorized" } });
  });

  it("creates, tries, saves, deploys, binds, rolls back and deletes an action, and logins follow at once", async () => {
    const created = await call(actionsRoute.POST, {
      body: { name: "team", code: claimCode("blue"), secrets: [{ name: "KEY", value: "secret-value-1" }] },
    });
    expect(created.status).toBe(201);
    expect(created.body.action).toMatchObject({
      name: "team",
      deployed_version: null,
      secrets: [{ name: "KEY" }],
    });
    expect(created.body.warnings).toEqual([]);
    const id: string = created.body.action.id;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const tried = await call(testRoute.POST, { params: { id }, body: {} });
    expect(tried).toMatchObject({
      status: 200,
      body: { ok: true, commands: { idTokenClaims: [{ action: "team", name: `${NS}team`, value: "blue" }] } },
    });

    const deployed = await call(deployRoute.POST, { params: { id } });
    expect(deployed.body.action.deployed_version).toMatchObject({ number: 1, deployed: true });

    const saved = await call(actionRoute.PATCH, {
      method: "PATCH",
      params: { id },
      body: { code: claimCode("green"), secrets: [{ name: "KEY" }] },
    });
    expect(saved.status).toBe(200);
    expect(saved.body.action).toMatchObject({ all_changes_deployed: false, secrets: [{ name: "KEY" }] });
    expect(JSON.stringify(saved.body)).not.toContain("secret-value-1");
    await call(deployRoute.POST, { params: { id } });
    // Deployed but not bound: logins do not run it.
    expect(await teamClaim()).toBeUndefined();

    const versions = await call(versionsRoute.GET, { method: "GET", params: { id } });
    expect(versions.body.versions.map((v: { number: number }) => v.number)).toEqual([2, 1]);

    const diff = await call(diffRoute.GET, { method: "GET", params: { id, number: "1" } });
    expect(diff.body).toMatchObject({ number: 1, added: 1, removed: 1 });

    const bound = await call(flowRoute.PATCH, {
      method: "PATCH",
      body: { bindings: [{ ref: { type: "action_name", value: "team" }, display_name: "Team" }] },
    });
    expect(bound.body.bindings).toEqual([
      {
        id: expect.any(String),
        trigger_id: "post-login",
        display_name: "Team",
        action: { id, name: "team" },
      },
    ]);
    expect(await teamClaim()).toBe("green");

    const back = await call(rollbackRoute.POST, { params: { id, number: "1" } });
    expect(back.body.action).toMatchObject({ code: claimCode("blue"), deployed_version: { number: 3 } });
    expect(await teamClaim()).toBe("blue");
    expect((await call(flowRoute.GET, { method: "GET" })).body.total).toBe(1);

    const refused = await call(actionRoute.DELETE, { method: "DELETE", params: { id } });
    expect(refused).toMatchObject({ status: 409, body: { error: "action_bound" } });
    expect(refused.body.message).toContain("force=true");
    const forced = await call(actionRoute.DELETE, { method: "DELETE", params: { id }, query: "?force=true" });
    expect(forced.status).toBe(204);
    expect((await call(actionRoute.GET, { method: "GET", params: { id } })).status).toBe(404);
    expect((await call(flowRoute.GET, { method: "GET" })).body.bindings).toEqual([]);
    expect(await teamClaim()).toBeUndefined();
  });

  it("answers bad input with 400 naming the field, in the rules API's error body", async () => {
    const badName = await call(actionsRoute.POST, { body: { name: "" } });
    expect(badName).toMatchObject({
      status: 400,
      body: { error: "invalid_body", details: [{ path: "name", message: "must not be empty" }] },
    });
    const broken = await call(actionsRoute.POST, { body: { name: "broken", code: "exports.x = (;" } });
    expect(broken).toMatchObject({
      status: 400,
      body: { error: "invalid_code", details: { path: "code", line: 1 } },
    });
    const malformed = await handlerWithText(actionsRoute.POST, "{not json");
    expect(malformed).toMatchObject({ status: 400, body: { error: "invalid_body" } });
    const badNumber = await call(rollbackRoute.POST, { params: { id: "x", number: "one" } });
    expect(badNumber).toMatchObject({ status: 400, body: { details: [{ path: "number" }] } });
    const missing = await call(diffRoute.GET, { method: "GET", params: { id: "nope", number: "1" } });
    expect(missing).toMatchObject({ status: 404, body: { error: "not_found", message: "Action not found" } });
    const flow = await call(flowRoute.PATCH, {
      method: "PATCH",
      body: { bindings: [{ ref: { type: "x", value: "y" } }] },
    });
    expect(flow).toMatchObject({ status: 400, body: { details: [{ path: "bindings[0].ref.type" }] } });
  });
});

async function handlerWithText(handler: THandler<Record<string, never>>, text: string) {
  const res = await handler(
    new Request("https://portcullis.test/api/admin/actions", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: text,
    }),
    { params: Promise.resolve({}) },
  );
  return { status: res.status, body: (await res.json()) as unknown };
}
