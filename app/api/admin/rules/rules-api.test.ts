import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDeps } from "@/server/config/deps";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "@/server/testing/test-deps";
import { seedFixture, type TFixture } from "@/server/testing/fixtures";
import { callToken, realmParams } from "@/server/testing/token-calls";
import { RULES_TEST_ENV, resetRules, tokenClaims } from "@/server/testing/rules";
import { REDIRECT_WITHOUT_PROTOCOL_WARNING } from "@/server/admin/rules/check-rule";
import * as rulesRoute from "./route";
import * as ruleRoute from "./[id]/route";
import * as versionsRoute from "./[id]/versions/route";
import * as rollbackRoute from "./[id]/rollback/route";
import * as reorderRoute from "./reorder/route";
import * as tryRoute from "./try/route";
import * as settingsRoute from "./settings/route";
import * as settingRoute from "./settings/[key]/route";

const TOKEN = "admin-token-for-tests-0123456789abcdef";
const NS = "https://portcullis.test/";

type THandler<P> = (req: Request, ctx: { params: Promise<P> }) => Promise<Response>;

async function call<P>(
  handler: THandler<P>,
  opts: { method?: string; body?: unknown; params?: P; token?: string | null } = {},
  // Response bodies are checked field by field with expect(); a precise type per route adds nothing here.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
): Promise<{ status: number; body: any }> {
  const headers = new Headers({ "content-type": "application/json" });
  if (opts.token !== null) headers.set("authorization", `Bearer ${opts.token ?? TOKEN}`);
  const res = await handler(
    new Request("https://portcullis.test/api/admin/rules", {
      method: opts.method ?? "POST",
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    }),
    { params: Promise.resolve((opts.params ?? {}) as P) },
  );
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const rule = (name: string, claim: string) => ({
  name,
  script: `function (user, context, callback) {
    context.idToken['${NS}${claim}'] = '${name}';
    callback(null, user, context);
  }`,
});

describe.each(testDatabaseKinds())("admin API for rules (%s)", (kind) => {
  let deps: TTestDeps;
  let fx: TFixture;

  beforeAll(async () => {
    deps = await createTestDeps(kind, { ...RULES_TEST_ENV, PORTCULLIS_ADMIN_API_TOKEN: TOKEN });
    fx = await seedFixture(deps);
    setDeps(deps);
    await resetRules(deps);
  });
  afterAll(async () => {
    await deps?.cleanup();
  });

  const login = () =>
    callToken(deps, {
      params: realmParams(fx.clients.web, fx.users.alice, "Username-Password-Authentication", {
        scope: "openid",
      }),
    });

  it("answers 401 without the admin token or with a wrong one", async () => {
    expect((await call(rulesRoute.GET, { method: "GET", token: null })).status).toBe(401);
    const wrong = await call(rulesRoute.GET, { method: "GET", token: TOKEN.replace(/.$/, "x") });
    expect(wrong).toMatchObject({ status: 401, body: { error: "unauthorized" } });
  });

  it("is closed to everyone when PORTCULLIS_ADMIN_API_TOKEN is unset", async () => {
    const closed = await createTestDeps("sqlite");
    try {
      setDeps(closed);
      expect((await call(rulesRoute.GET, { method: "GET" })).status).toBe(401);
    } finally {
      setDeps(deps);
      await closed.cleanup();
    }
  });

  it("creates, lists, updates, disables, reorders and deletes rules, and logins follow at once", async () => {
    const a = await call(rulesRoute.POST, { body: rule("first-rule", "who") });
    expect(a.status).toBe(201);
    expect(a.body.rule).toMatchObject({
      name: "first-rule",
      order: 1,
      enabled: true,
      stage: "login_success",
      version: 1,
    });
    expect(a.body.rule.id).toMatch(/^rul_[A-Za-z0-9]{16}$/);
    const b = await call(rulesRoute.POST, { body: rule("second-rule", "who") });
    expect(b.body.rule.order).toBe(2);

    // Both set the same claim: the later rule wins.
    expect(tokenClaims(await login()).id[`${NS}who`]).toBe("second-rule");

    const reordered = await call(reorderRoute.POST, { body: { ids: [b.body.rule.id, a.body.rule.id] } });
    expect(reordered.body.map((r: { name: string }) => r.name)).toEqual(["second-rule", "first-rule"]);
    expect(tokenClaims(await login()).id[`${NS}who`]).toBe("first-rule");

    const disabled = await call(ruleRoute.PATCH, {
      method: "PATCH",
      params: { id: a.body.rule.id },
      body: { enabled: false },
    });
    expect(disabled.body.rule).toMatchObject({ enabled: false, version: 1 });
    expect(tokenClaims(await login()).id[`${NS}who`]).toBe("second-rule");

    const listed = await call(rulesRoute.GET, { method: "GET" });
    expect(listed.body.map((r: { name: string; enabled: boolean }) => [r.name, r.enabled])).toEqual([
      ["second-rule", true],
      ["first-rule", false],
    ]);

    for (const id of [a.body.rule.id, b.body.rule.id]) {
      expect((await call(ruleRoute.DELETE, { method: "DELETE", params: { id } })).status).toBe(204);
    }
    expect(tokenClaims(await login()).id[`${NS}who`]).toBeUndefined();
    expect((await call(ruleRoute.GET, { method: "GET", params: { id: a.body.rule.id } })).status).toBe(404);

    // Each change is an admin audit record; the API token acts as its own actor.
    const records = (
      await deps.db.all<{ details: string }>(`SELECT "details" FROM "LogEvent" WHERE "type" = ?`, ["sapi"])
    ).map((r) => JSON.parse(r.details) as { action: string; actor: unknown });
    expect(records.map((r) => r.action).sort()).toEqual([
      "create rule",
      "create rule",
      "delete rule",
      "delete rule",
      "disable rule",
      "reorder rules",
    ]);
    for (const r of records) expect(r.actor).toEqual({ id: "api-token", email: "api-token", role: "owner" });
  });

  it("refuses invalid names, duplicate names and scripts that do not compile", async () => {
    expect(
      (await call(rulesRoute.POST, { body: { name: "-bad name", script: "function(u,c,cb){cb(null,u,c)}" } }))
        .body.error,
    ).toBe("invalid_body");
    await call(rulesRoute.POST, { body: rule("dup", "x") });
    expect((await call(rulesRoute.POST, { body: rule("dup", "x") })).status).toBe(409);
    const broken = await call(rulesRoute.POST, {
      body: { name: "broken", script: "function (u, c, cb) { if ( }" },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.message).toMatch(/^The script does not compile: Unexpected token/);
    // The editor marks the place: line and column in the script as written.
    expect(broken.body.details).toEqual({ line: 1, column: 28 });
    await resetRules(deps);
  });

  it("warns when a rule sets context.redirect without checking context.protocol", async () => {
    const naive = await call(rulesRoute.POST, {
      body: {
        name: "naive-redirect",
        script: `function (user, context, callback) { context.redirect = { url: 'https://x.example' }; callback(null, user, context); }`,
      },
    });
    expect(naive.body.warnings).toEqual([REDIRECT_WITHOUT_PROTOCOL_WARNING]);
    const careful = await call(rulesRoute.POST, {
      body: {
        name: "careful-redirect",
        script: `function (user, context, callback) {
          if (context.protocol !== 'oauth2-password' && context.protocol !== 'oauth2-refresh-token') {
            context.redirect = { url: 'https://x.example' };
          }
          callback(null, user, context);
        }`,
      },
    });
    expect(careful.body.warnings).toEqual([]);
    await resetRules(deps);
  });

  it("keeps every saved version and rolls back to any of them", async () => {
    const created = await call(rulesRoute.POST, { body: rule("versioned", "v") });
    const id = created.body.rule.id as string;
    await call(ruleRoute.PATCH, {
      method: "PATCH",
      params: { id },
      body: { script: rule("v2", "v").script },
    });
    await call(ruleRoute.PATCH, {
      method: "PATCH",
      params: { id },
      body: { script: rule("v3", "v").script },
    });
    expect(tokenClaims(await login()).id[`${NS}v`]).toBe("v3");

    const versions = await call(versionsRoute.GET, { method: "GET", params: { id } });
    expect(
      versions.body.map((v: { version: number; is_current: boolean }) => [v.version, v.is_current]),
    ).toEqual([
      [3, true],
      [2, false],
      [1, false],
    ]);

    const rolled = await call(rollbackRoute.POST, { params: { id }, body: { version: 1 } });
    expect(rolled.body.rule).toMatchObject({ version: 4, script: rule("versioned", "v").script });
    expect(tokenClaims(await login()).id[`${NS}v`]).toBe("versioned");
    const after = await call(versionsRoute.GET, { method: "GET", params: { id } });
    expect(after.body).toHaveLength(4);
    expect((await call(rollbackRoute.POST, { params: { id }, body: { version: 9 } })).status).toBe(404);
    await resetRules(deps);
  });

  it("stores rule settings sealed, lists only keys, and lets rules read them", async () => {
    const put = await call(settingRoute.PUT, {
      method: "PUT",
      params: { key: "GREETING" },
      body: { value: "hello-from-settings" },
    });
    expect(put.body).toEqual({ key: "GREETING" });
    const listed = await call(settingsRoute.GET, { method: "GET" });
    expect(listed.body.map((s: { key: string }) => s.key)).toEqual(["GREETING"]);
    expect(JSON.stringify(listed.body)).not.toContain("hello-from-settings");
    await call(rulesRoute.POST, {
      body: {
        name: "greet",
        script: `function (user, context, callback) { context.idToken['${NS}greeting'] = configuration.GREETING; callback(null, user, context); }`,
      },
    });
    expect(tokenClaims(await login()).id[`${NS}greeting`]).toBe("hello-from-settings");
    expect((await call(settingRoute.DELETE, { method: "DELETE", params: { key: "GREETING" } })).status).toBe(
      204,
    );
    expect(tokenClaims(await login()).id[`${NS}greeting`]).toBeUndefined();
    await resetRules(deps);
  });

  it("try runs one script, a saved rule or the whole pipeline without logging in and without saving anything", async () => {
    await call(settingRoute.PUT, {
      method: "PUT",
      params: { key: "SECRET" },
      body: { value: "do-not-show-me" },
    });
    const tried = await call(tryRoute.POST, {
      body: {
        script: `function (user, context, callback) {
          console.log('checking', user.email, configuration.SECRET);
          context.accessToken['${NS}tier'] = 'gold';
          context.accessToken.scope = ['openid', 'read:things'];
          context.idToken.sub = 'not allowed';
          auth0.users.updateAppMetadata(user.user_id, { tried: true }).then(function () { callback(null, user, context); });
        }`,
        user: { email: "tester@example.com" },
      },
    });
    expect(tried.status).toBe(200);
    expect(tried.body).toMatchObject({
      ok: true,
      access_token_claims: { [`${NS}tier`]: "gold" },
      id_token_claims: {},
      dropped_claims: ["id_token.sub"],
      scope: ["openid", "read:things"],
      console: ["checking tester@example.com [redacted]"],
      metadata_updates: { app: { tried: true }, user: null },
      error: null,
    });
    expect(tried.body.duration_ms).toBeGreaterThan(0);
    expect(tried.body.trace).toEqual([{ name: "try", outcome: "ok", duration_ms: expect.any(Number) }]);
    const triedRows = await deps.db.all(`SELECT "id" FROM "User" WHERE "appMetadata" LIKE ?`, ["%tried%"]);
    expect(triedRows).toHaveLength(0);

    const denied = await call(tryRoute.POST, {
      body: {
        script: `function (user, context, callback) { callback(new UnauthorizedError('not on weekends')); }`,
      },
    });
    expect(denied.body.error).toEqual({
      kind: "unauthorized",
      rule: "try",
      message: "not on weekends",
      response: { status: 401, error: "unauthorized", error_description: "not on weekends" },
    });

    const saved = await call(rulesRoute.POST, { body: { ...rule("saved", "s"), enabled: false } });
    const bySavedId = await call(tryRoute.POST, { body: { rule_id: saved.body.rule.id } });
    expect(bySavedId.body.id_token_claims).toEqual({ [`${NS}s`]: "saved" });
    const pipeline = await call(tryRoute.POST, { body: {} });
    expect(pipeline.body.trace).toEqual([]);

    const looping = await call(tryRoute.POST, { body: { script: `function (u, c, cb) { for (;;) {} }` } });
    expect(looping.body.error).toMatchObject({ kind: "timeout", rule: "try" });
    // A hostile try never disturbs logins.
    expect((await login()).status).toBe(200);
    await resetRules(deps);
  });
});
