import { afterAll, describe, expect, it } from "vitest";
import { createRulesRunner } from "./runner.ts";
import type { TActionSource, TActionsRunInput, TActionsRunResult } from "./types.ts";

/**
 * Post-login Actions in the sandbox: what each api method records, the order and isolation of the actions of one
 * flow, their failures, their per-action secrets and cache, and the save-time syntax check.
 */
const runner = createRulesRunner({ ruleTimeoutMs: 1000, pipelineTimeoutMs: 3000 });
afterAll(() => runner.dispose());

const NOW = Date.now();
type TSpec = {
  name?: string;
  code: string;
  secrets?: Record<string, string>;
  cache?: TActionSource["cache"];
};

function input(specs: (TSpec | string)[], extra: Partial<TActionsRunInput> = {}): TActionsRunInput {
  return {
    isolateKey: "actions-test",
    actions: specs.map((s, i) => {
      const spec = typeof s === "string" ? { code: s } : s;
      return {
        name: spec.name ?? `a${i + 1}`,
        code: spec.code,
        secrets: spec.secrets ?? {},
        cache: spec.cache ?? {},
      };
    }),
    event: {
      user: {
        user_id: "auth0|alice",
        email: "alice@example.com",
        app_metadata: { plan: "free" },
        user_metadata: {},
      },
      client: { client_id: "client-1", name: "App" },
      transaction: { requested_scopes: ["openid"] },
    },
    executedRules: ["rul_seen"],
    fetchAllowedHosts: [],
    ...extra,
  };
}

/** An action whose handler is `body` (an async arrow). */
const handler = (body: string) => `exports.onExecutePostLogin = async (event, api) => {\n${body}\n};`;
const run = (specs: (TSpec | string)[], extra?: Partial<TActionsRunInput>) =>
  runner.runActions(input(specs, extra));
const okOf = (res: TActionsRunResult) => {
  if (!res.ok) throw new Error(`run failed: ${res.failure.kind}: ${res.failure.message}`);
  return res;
};

describe("the api records what the actions ask for", () => {
  it("claims, scopes, multifactor and redirect, each with the action that asked, in call order", async () => {
    const res = okOf(
      await run([
        handler(`
          api.idToken.setCustomClaim("https://ex/email", event.user.email);
          api.accessToken.setCustomClaim("https://ex/roles", ["admin", { level: 2 }]);
          api.idToken.setCustomClaim("ignored", undefined);
          api.accessToken.addScope("read:all").accessToken.removeScope("openid");
          api.multifactor.enable("guardian", { allowRememberBrowser: true });`),
        handler(`
          api.idToken.setCustomClaim("https://ex/email", "second");
          api.authentication.challengeWith({ type: "otp" }, { additionalFactors: [{ type: "email" }] });
          api.redirect.sendUserTo("https://ex/consent", { query: { a: 1 } });`),
      ]),
    );
    expect(res.commands.idTokenClaims).toEqual([
      { action: "a1", name: "https://ex/email", value: "alice@example.com" },
      { action: "a2", name: "https://ex/email", value: "second" },
    ]);
    expect(res.commands.accessTokenClaims).toEqual([
      { action: "a1", name: "https://ex/roles", value: ["admin", { level: 2 }] },
    ]);
    expect(res.commands.scopes).toEqual([
      { action: "a1", op: "add", scope: "read:all" },
      { action: "a1", op: "remove", scope: "openid" },
    ]);
    expect(res.commands.multifactor).toEqual({
      action: "a2",
      provider: "any",
      options: { factors: [{ type: "otp" }, { type: "email" }] },
    });
    expect(res.commands.redirect).toEqual({ action: "a2", url: "https://ex/consent" });
    expect(res.trace.map((t) => [t.name, t.outcome])).toEqual([
      ["a1", "ok"],
      ["a2", "ok"],
    ]);
  });

  it("every documented api method that returns the api object chains", async () => {
    const res = okOf(
      await run([
        handler(`
          const same = [
            api.access.deny("no"), api.idToken.setCustomClaim("a", 1), api.accessToken.setCustomClaim("b", 2),
            api.accessToken.addScope("s"), api.accessToken.removeScope("s"), api.multifactor.enable("any"),
            api.user.setAppMetadata("x", 1), api.user.setUserMetadata("y", 2), api.redirect.sendUserTo("https://ex/"),
            api.authentication.challengeWithAny([{ type: "otp" }]), api.authentication.enrollWith({ type: "otp" }),
          ].every((r) => r === api);
          api.idToken.setCustomClaim("same", same);
          api.idToken.setCustomClaim("absent", [typeof api.session, typeof api.prompt, api.redirect.canRedirect()]);`),
      ]),
    );
    const claims = Object.fromEntries(res.commands.idTokenClaims.map((c) => [c.name, c.value]));
    expect(claims.same).toBe(true);
    expect(claims.absent).toEqual(["undefined", "undefined", false]);
  });

  it("arguments are validated like auth0.users.* in rules: a clear TypeError fails the action", async () => {
    const cases: [string, RegExp][] = [
      ['api.idToken.setCustomClaim("", 1)', /claim name must be a non-empty string/],
      ['api.idToken.setCustomClaim("f", function () {})', /claim value must be JSON-serializable/],
      [
        'const c = {}; c.c = c; api.accessToken.setCustomClaim("c", c)',
        /claim value must be JSON-serializable/,
      ],
      ["api.accessToken.addScope(42)", /scope must be a non-empty string/],
      ['api.multifactor.enable("duo", "fast")', /options must be an object/],
      ["api.authentication.challengeWithAny([])", /factors must be a non-empty array/],
      ['api.user.setAppMetadata(7, "x")', /key must be a non-empty string/],
      [
        "api.authentication.recordMethod('x')",
        /^api\.authentication\.recordMethod is not supported by Portcullis$/,
      ],
      ["api.authentication.setPrimaryUser('x')", /^api\.authentication\.setPrimaryUser is not supported/],
    ];
    for (const [body, message] of cases) {
      const res = await run([{ name: "checker", code: handler(body) }]);
      expect(res.ok).toBe(false);
      if (res.ok) continue;
      expect(res.failure).toMatchObject({ kind: "denied", rule: "checker" });
      expect(res.failure.message).toMatch(message);
    }
  });

  it("claim values are copied at call time", async () => {
    const res = okOf(
      await run([handler(`const v = { n: 1 }; api.idToken.setCustomClaim("v", v); v.n = 2;`)]),
    );
    expect(res.commands.idTokenClaims[0]?.value).toEqual({ n: 1 });
  });

  it("api.rules.wasExecuted answers from the rules that ran before", async () => {
    const res = okOf(
      await run([
        handler(
          'api.idToken.setCustomClaim("r", [api.rules.wasExecuted("rul_seen"), api.rules.wasExecuted("rul_other"), api.rules.wasExecuted(1)]);',
        ),
      ]),
    );
    expect(res.commands.idTokenClaims[0]?.value).toEqual([true, false, false]);
  });

  it("encodeToken and validateToken record a redirect and throw: no redirects on /oauth/token", async () => {
    const res = await run([handler('api.redirect.encodeToken({ secret: "s", payload: {} });')]);
    expect(res.ok).toBe(false);
    expect(!res.ok && res.failure.message).toBe(
      "api.redirect.encodeToken is not available: redirects are not possible on /oauth/token",
    );
    expect(res.commands.redirect).toEqual({ action: "a1", url: "" });
  });
});

describe("the flow", () => {
  it("deny stops the later actions, keeps the denying action's later calls, and is no failure", async () => {
    const res = okOf(
      await run([
        handler('api.idToken.setCustomClaim("first", 1);'),
        handler(`api.access.deny("not today"); api.access.deny("second reason");
          api.user.setAppMetadata("denied_at", 1); api.idToken.setCustomClaim("after", true);`),
        handler('api.idToken.setCustomClaim("never", 1);'),
      ]),
    );
    expect(res.commands.denied).toEqual({ action: "a2", reason: "not today" });
    expect(res.commands.idTokenClaims.map((c) => c.name)).toEqual(["first", "after"]);
    expect(res.commands.metadata.app).toEqual({ denied_at: 1 });
    expect(res.trace.map((t) => t.name)).toEqual(["a1", "a2"]);
  });

  it("a thrown error or a rejected promise fails the login as denied, naming the action, with earlier commands", async () => {
    for (const body of [
      'throw new Error("blocked by policy");',
      'await Promise.reject(new Error("blocked by policy"));',
    ]) {
      const res = await run([
        handler('api.idToken.setCustomClaim("before", 1);'),
        { name: "gate", code: handler(body) },
      ]);
      expect(res.ok).toBe(false);
      if (res.ok) continue;
      expect(res.failure).toEqual({ kind: "denied", rule: "gate", message: "blocked by policy" });
      expect(res.commands.idTokenClaims.map((c) => c.name)).toEqual(["before"]);
      expect(res.trace.map((t) => [t.name, t.outcome])).toEqual([
        ["a1", "ok"],
        ["gate", "error"],
      ]);
    }
  });

  it("the handler may be a plain function, use module.exports, top-level requires, consts and helpers", async () => {
    const res = okOf(
      await run([
        `const _ = require("lodash@4.17.21"); const ipaddr = require("ipaddr.js");
         const PREFIX = "https://ex/"; function claim(n) { return PREFIX + n; }
         module.exports = { onExecutePostLogin(event, api) {
           api.idToken.setCustomClaim(claim("v"), [typeof _.get, ipaddr.isValid("10.0.0.1")]); },
           onContinuePostLogin() { throw new Error("never called"); } };`,
      ]),
    );
    expect(res.commands.idTokenClaims).toEqual([
      { action: "a1", name: "https://ex/v", value: ["function", true] },
    ]);
  });

  it("requiring anything else throws MODULE_NOT_FOUND listing what is available", async () => {
    const res = await run([{ name: "fs", code: `const fs = require("fs");\n${handler("")}` }]);
    expect(res.ok).toBe(false);
    expect(!res.ok && res.failure).toEqual({
      kind: "denied",
      rule: "fs",
      message: "Cannot find module 'fs': actions may require only lodash, ipaddr.js",
    });
  });

  it("an action that exports no handler is skipped with a warning", async () => {
    const res = okOf(
      await run([
        { name: "empty", code: "exports.somethingElse = 1;" },
        handler('api.idToken.setCustomClaim("ran", 1);'),
      ]),
    );
    expect(res.warnings).toEqual(['action "empty" does not export onExecutePostLogin; it was skipped']);
    expect(res.commands.idTokenClaims.map((c) => c.name)).toEqual(["ran"]);
  });

  it("a syntax error is named by action before any action runs; code cannot close its wrapper early", async () => {
    for (const code of [
      "exports.onExecutePostLogin = (event, api) => {",
      "}); globalThis.leak = 1; (function () {",
    ]) {
      const res = await run([handler('api.idToken.setCustomClaim("ran", 1);'), { name: "broken", code }]);
      expect(res.ok).toBe(false);
      if (res.ok) continue;
      expect(res.failure.kind).toBe("syntax");
      expect(res.failure.rule).toBe("broken");
      expect(res.commands.idTokenClaims).toEqual([]);
    }
  });

  it("Actions do not see the rules' globals, and console, timers and Date work", async () => {
    const res = okOf(
      await run(
        [
          handler(`
            await new Promise((resolve) => setTimeout(resolve, 5));
            console.log("hello", { from: "action" });
            api.idToken.setCustomClaim("g", [typeof auth0, typeof configuration, typeof UnauthorizedError, typeof global,
              typeof require, typeof fetch, Math.round((Date.now() - ${NOW}) / 3600000)]);`),
        ],
        { clockOffsetMs: 2 * 3600 * 1000 },
      ),
    );
    expect(res.commands.idTokenClaims[0]?.value).toEqual([
      "undefined",
      "undefined",
      "undefined",
      "undefined",
      "function",
      "function",
      2,
    ]);
    expect(res.console).toEqual(['hello {"from":"action"}']);
  });
});

describe("isolation between the actions of one flow", () => {
  it("each action gets a fresh event; only metadata set through api.user carries over", async () => {
    const res = okOf(
      await run([
        handler(`event.user.email = "mallory@example.com"; event.client.client_id = "forged"; event.extra = 1;
          event.user.app_metadata.plan = "gold";
          api.user.setAppMetadata("tier", "silver").user.setUserMetadata("theme", "dark");
          api.user.setAppMetadata("plan", null);`),
        handler(`api.idToken.setCustomClaim("seen", [event.user.email, event.client.client_id, event.extra === undefined,
          event.user.app_metadata, event.user.user_metadata]);`),
      ]),
    );
    expect(res.commands.idTokenClaims[0]?.value).toEqual([
      "alice@example.com",
      "client-1",
      true,
      { tier: "silver" },
      { theme: "dark" },
    ]);
    expect(res.commands.metadata).toEqual({ app: { tier: "silver", plan: null }, user: { theme: "dark" } });
  });

  it("each action sees only its own secrets", async () => {
    const res = okOf(
      await run([
        { code: handler('api.idToken.setCustomClaim("one", event.secrets);'), secrets: { API_KEY: "key-1" } },
        { code: handler('api.idToken.setCustomClaim("two", event.secrets);'), secrets: { OTHER: "key-2" } },
        handler('api.idToken.setCustomClaim("three", event.secrets);'),
      ]),
    );
    expect(res.commands.idTokenClaims.map((c) => c.value)).toEqual([
      { API_KEY: "key-1" },
      { OTHER: "key-2" },
      {},
    ]);
  });

  it("metadata patches are bounded by maxMetadataBytes: the call over it throws and is not recorded", async () => {
    const res = await run([
      handler(`const chunk = "x".repeat(40 * 1024);
        api.user.setUserMetadata("first", chunk);
        try { api.user.setUserMetadata("second", chunk); } catch (e) { api.idToken.setCustomClaim("error", e.message); }`),
    ]);
    const ok = okOf(res);
    expect(ok.commands.idTokenClaims[0]?.value).toBe("Metadata larger than 65536 bytes");
    expect(Object.keys(ok.commands.metadata.user ?? {})).toEqual(["first"]);
  });
});

describe("api.cache", () => {
  const cached = {
    hit: { value: "cached-value", expires_at: NOW + 60_000 },
    old: { value: "x", expires_at: NOW - 1 },
  };

  it("is per action: its own entries at run start, then what it set and deleted", async () => {
    const res = okOf(
      await run([
        {
          code: handler(`
            const before = [api.cache.get("hit"), api.cache.get("old"), api.cache.get("new")];
            const set = api.cache.set("new", "v1", { ttl: 1000 });
            api.cache.delete("hit");
            api.idToken.setCustomClaim("one", [before, set.type, api.cache.get("new")?.value, api.cache.get("hit")]);`),
          cache: cached,
        },
        handler('api.idToken.setCustomClaim("two", [api.cache.get("hit"), api.cache.get("new")]);'),
      ]),
    );
    const [one, two] = res.commands.idTokenClaims.map((c) => c.value);
    expect(one).toEqual([
      [{ value: "cached-value", expires_at: NOW + 60_000 }, null, null],
      "success",
      "v1",
      null,
    ]);
    expect(two).toEqual([null, null]);
    expect(res.commands.cache).toEqual([
      { action: "a1", op: "set", key: "new", value: "v1", expires_at: expect.any(Number) },
      { action: "a1", op: "delete", key: "hit" },
    ]);
  });

  it("lifetimes: 15 minutes by default, ttl or expires_at when given, never over 24 hours, on the server clock", async () => {
    const offset = 5 * 3600 * 1000;
    const res = okOf(
      await run(
        [
          handler(`
          const t = Date.now();
          const e = (r) => r.record.expires_at - t;
          api.idToken.setCustomClaim("d", [e(api.cache.set("a", "1")), e(api.cache.set("b", "1", { ttl: 5000 })),
            e(api.cache.set("c", "1", { expires_at: t + 7000 })), e(api.cache.set("d", "1", { ttl: 1e12 }))]);`),
        ],
        { clockOffsetMs: offset },
      ),
    );
    const [d15, d5, d7, dMax] = res.commands.idTokenClaims[0]?.value as number[];
    expect(Math.abs(d15! - 15 * 60_000)).toBeLessThan(1000);
    expect(Math.abs(d5! - 5000)).toBeLessThan(1000);
    expect(Math.abs(d7! - 7000)).toBeLessThan(1000);
    expect(Math.abs(dMax! - 24 * 3600_000)).toBeLessThan(1000);
    const setAt = res.commands.cache[0]?.expires_at ?? 0;
    expect(Math.abs(setAt - (Date.now() + offset + 15 * 60_000))).toBeLessThan(5000);
  });

  it("bad keys, values and options and a full cache are error codes, not exceptions", async () => {
    const res = okOf(
      await run([
        handler(`
          const codes = [api.cache.set("", "v"), api.cache.set("k".repeat(257), "v"), api.cache.set(5, "v"),
            api.cache.set("k", 5), api.cache.set("k", "v".repeat(4097)), api.cache.set("k", "v", { ttl: -1 }),
            api.cache.delete(null)].map((r) => r.code);
          for (let i = 0; i < 20; i++) api.cache.set("key" + i, "v");
          codes.push(api.cache.set("one-too-many", "v").code, api.cache.set("key3", "replaced").type);
          api.idToken.setCustomClaim("codes", codes);`),
      ]),
    );
    expect(res.commands.idTokenClaims[0]?.value).toEqual([
      "INVALID_KEY",
      "INVALID_KEY",
      "INVALID_KEY",
      "INVALID_VALUE",
      "INVALID_VALUE",
      "INVALID_VALUE",
      "INVALID_KEY",
      "CACHE_FULL",
      "success",
    ]);
    expect(res.commands.cache).toHaveLength(21);
  });
});

describe("limits and failures", () => {
  it("a never-settling promise hits the per-action time limit, naming the action", async () => {
    const res = await run([handler(""), { name: "stuck", code: handler("await new Promise(() => {});") }]);
    expect(res.ok).toBe(false);
    expect(!res.ok && res.failure).toEqual({
      kind: "timeout",
      rule: "stuck",
      message: 'action "stuck" did not finish within 1000 ms',
    });
  });

  it("a huge claim value is refused when it is set", async () => {
    const res = await run([handler('api.idToken.setCustomClaim("blob", "x".repeat(200 * 1024));')]);
    expect(res.ok).toBe(false);
    expect(!res.ok && res.failure.message).toMatch(/claim value is larger than 102400 bytes/);
  });
});

describe("checkAction", () => {
  it("accepts module code and names syntax errors, including code that would close the wrapper", async () => {
    expect(await runner.checkAction(handler("api.access.deny('x');"))).toEqual({ ok: true });
    expect(await runner.checkAction("exports.onExecutePostLogin = async (event, api) => {")).toMatchObject({
      ok: false,
    });
    const breakout = await runner.checkAction("}); (function () {");
    expect(breakout.ok).toBe(false);
    expect(!breakout.ok && breakout.message).toMatch(/Single function literal required|Unexpected token/);
  });

  it("runs nothing", async () => {
    const started = performance.now();
    expect(await runner.checkAction("for (;;) {}")).toEqual({ ok: true });
    expect(performance.now() - started).toBeLessThan(500);
  });
});
