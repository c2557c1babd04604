import { afterAll, describe, expect, it } from "vitest";
import { createRulesRunner } from "./runner.ts";
import type { TActionSource, TActionsRunInput, TActionsRunResult } from "./types.ts";

/**
 * Hostile post-login Actions: the cases of server/rules/hostile-rules.test.ts and hostile-tampering.test.ts adapted
 * to actions. Each hostile run shares its isolate key with a well-behaved run that follows (or runs beside it); the
 * well-behaved one must get exactly its own answer, and the hostile one must fail closed or get only what it asked.
 */
const limits = { ruleTimeoutMs: 700, pipelineTimeoutMs: 2000, memoryLimitMb: 32, postCallbackGraceMs: 100 };
const runner = createRulesRunner(limits);
const runners = [runner];
afterAll(() => runners.forEach((r) => r.dispose()));

const KEY = "hostile-actions";
const handler = (body: string) => `exports.onExecutePostLogin = async (event, api) => {\n${body}\n};`;

function input(actions: (Partial<TActionSource> & { code: string })[]): TActionsRunInput {
  return {
    isolateKey: KEY,
    actions: actions.map((a, i) => ({
      name: a.name ?? `a${i + 1}`,
      code: a.code,
      secrets: a.secrets ?? {},
      cache: a.cache ?? {},
    })),
    event: {
      user: { user_id: "auth0|mallory", app_metadata: {}, user_metadata: {} },
      client: { client_id: "c" },
    },
    executedRules: [],
    fetchAllowedHosts: [],
  };
}
const hostile = (body: string, name = "hostile") => runner.runActions(input([{ name, code: handler(body) }]));
const failureOf = (res: TActionsRunResult) => (res.ok ? null : res.failure);
const claims = (res: TActionsRunResult) =>
  Object.fromEntries(res.commands.idTokenClaims.map((c) => [c.name, c.value]));

/** A well-behaved flow on the same isolate key gets exactly its own answer. */
async function expectGoodServed(): Promise<void> {
  const res = await runner.runActions(
    input([
      {
        name: "good",
        code: handler('api.idToken.setCustomClaim("who", event.secrets.WHO);'),
        secrets: { WHO: "alice" },
      },
    ]),
  );
  expect(res.ok).toBe(true);
  expect(res.commands.idTokenClaims).toEqual([{ action: "good", name: "who", value: "alice" }]);
  expect(res.warnings).toEqual([]);
}

describe("hostile actions never take the server down or leak into other runs", () => {
  it("a synchronous infinite loop (in the handler or at the module's top level) times out; a run beside it succeeds", async () => {
    for (const code of [handler("while (true) {}"), "for (;;) {}"]) {
      const [bad] = await Promise.all([
        runner.runActions(input([{ name: "loop", code }])),
        expectGoodServed(),
      ]);
      expect(failureOf(bad)).toMatchObject({ kind: "timeout", rule: "loop" });
      expect(bad.commands.idTokenClaims).toEqual([]);
    }
    await expectGoodServed();
  });

  it("an infinite loop in a promise chain, an endless microtask chain and a never-settling promise time out", async () => {
    for (const body of [
      "await Promise.resolve().then(() => { for (;;) {} });",
      "(function spin() { Promise.resolve().then(spin); })(); await new Promise(() => {});",
      "await new Promise(() => {});",
    ]) {
      expect(failureOf(await hostile(body))).toMatchObject({ kind: "timeout", rule: "hostile" });
    }
    await expectGoodServed();
  });

  it("a memory bomb hits the isolate's memory limit", async () => {
    const res = await hostile("const hoard = []; for (;;) hoard.push(new Array(1e5).fill('x'));");
    expect(failureOf(res)).toMatchObject({ kind: "memory", rule: "hostile" });
    await expectGoodServed();
  });

  it("a timer flood fails the action instead of the server", async () => {
    const res = await hostile("for (let i = 0; i < 1e6; i++) setTimeout(() => {}, 1000);");
    expect(failureOf(res)).toEqual({
      kind: "denied",
      rule: "hostile",
      message: "Too many timers in one rules run",
    });
    await expectGoodServed();
  });

  it("a throw from a timer while the action waits fails it; one after it returned, or a stray rejection, does not", async () => {
    expect(
      failureOf(
        await hostile(
          "setTimeout(() => { throw new Error('in a timer'); }, 1); await new Promise(() => {});",
        ),
      ),
    ).toEqual({
      kind: "denied",
      rule: "hostile",
      message: "in a timer",
    });
    const late = await hostile(
      "setTimeout(() => { throw new Error('late'); }, 1); Promise.reject(new Error('nobody listens')); api.idToken.setCustomClaim('done', true);",
    );
    expect(late.ok).toBe(true);
    expect(claims(late)).toEqual({ done: true });
    await expectGoodServed();
  });

  it("deep recursion and thrown non-Errors fail with a readable message", async () => {
    const cases: [string, string][] = [
      ["(function dive(n) { return dive(n + 1) + 1; })(0);", "Maximum call stack size exceeded"],
      ["throw 42;", "42"],
      ["throw { toString() { throw new Error('nested'); } };", "Unknown error"],
      ["return Promise.reject();", "Uncaught exception"],
    ];
    for (const [body, message] of cases) expect(failureOf(await hostile(body))?.message).toBe(message);
    await expectGoodServed();
  });

  it("huge claims, many claims and deeply nested values fail closed", async () => {
    expect(
      failureOf(await hostile("api.idToken.setCustomClaim('blob', 'x'.repeat(3 * 1024 * 1024));"))?.message,
    ).toMatch(/larger than 102400 bytes/);
    expect(
      failureOf(
        await hostile(
          "const v = 'x'.repeat(90 * 1024); for (let i = 0; i < 256; i++) api.accessToken.setCustomClaim('c' + i, v);",
        ),
      )?.message,
    ).toMatch(/The actions recorded more than \d+ bytes/);
    expect(
      failureOf(await hostile("for (let i = 0; i < 300; i++) api.accessToken.addScope('s' + i);"))?.message,
    ).toBe("Too many api.accessToken.addScope calls in one login");
    let deep = "let d = {}; for (let i = 0; i < 100; i++) d = { d }; api.idToken.setCustomClaim('deep', d);";
    expect(failureOf(await hostile(deep))).toMatchObject({ kind: "invalid_output", rule: "hostile" });
    deep = "let d = {}; for (let i = 0; i < 20000; i++) d = { d }; api.idToken.setCustomClaim('deep', d);";
    expect(failureOf(await hostile(deep))).toMatchObject({
      kind: "denied",
      message: /larger than|JSON-serializable/,
    });
    await expectGoodServed();
  });

  it("huge console output is capped; the run still completes", async () => {
    const res = await hostile(
      "const big = 'x'.repeat(4 << 20); for (let i = 0; i < 1000; i++) console.log(big, i);",
    );
    expect(res.ok).toBe(true);
    expect(res.consoleTruncated).toBe(true);
    await expectGoodServed();
  });
});

describe("actions tampering with the sandbox's built-ins", () => {
  it("the capabilities and the rules' globals are out of reach", async () => {
    const res = await hostile(`
      const names = ["__pc_in", "__pc_progress", "__pc_sleep", "__pc_fetch", "__pc_done", "Atomics", "SharedArrayBuffer",
        "WebAssembly", "auth0", "configuration", "process"];
      api.idToken.setCustomClaim("types", names.map((n) => typeof globalThis[n]));
      let replaced = false;
      try { globalThis.__pc_settle = () => {}; replaced = globalThis.__pc_settle.length === 0; } catch (e) {}
      for (let id = 1; id < 50; id++) globalThis.__pc_settle(id, '{"ok":true}');
      api.idToken.setCustomClaim("replaced", replaced);
      let p; try { p = this.constructor.constructor("return process")(); } catch (e) { p = e.message; }
      api.idToken.setCustomClaim("process", p);`);
    expect(claims(res)).toEqual({
      types: Array(11).fill("undefined"),
      replaced: false,
      process: "process is not defined",
    });
    // The module function is sloppy-mode code; its caller is the bootstrap, which is strict and so is hidden.
    const caller = await runner.runActions(
      input([
        {
          code: `const caller = arguments.callee.caller;\n${handler('api.idToken.setCustomClaim("caller", caller);')}`,
        },
      ]),
    );
    expect(claims(caller)).toEqual({ caller: null });
    await expectGoodServed();
  });

  for (const method of ["apply", "call", "bind"] as const) {
    it(`wrapping Function.prototype.${method} fails, and catches no host function`, async () => {
      const res = await hostile(`
        const seen = [], original = Function.prototype.${method};
        let wrapped = true;
        try {
          Function.prototype.${method} = function () { if (!seen.includes(this)) seen.push(this); return Reflect.apply(original, this, arguments); };
        } catch (e) { wrapped = false; }
        api.idToken.setCustomClaim("wrapped", wrapped || Function.prototype.${method} !== original);
        await new Promise((resolve) => setTimeout(resolve, 1));
        console.log("busy"); api.cache.set("k", "v"); api.user.setAppMetadata("m", 1); require("ipaddr.js");
        await fetch("https://example.com/").catch(() => {});
        try { Function.prototype.${method} = original; } catch (e) {}
        const foreign = seen.filter((f) => /\\[native code\\]/.test(Function.prototype.toString.call(f)));
        const big = "x".repeat(64 * 1024);
        foreign.forEach((f) => { for (let i = 0; i < 2000; i++) { try { f(i + 1, big); } catch (e) {} } });
        api.idToken.setCustomClaim("caught", foreign.length);`);
      expect(failureOf(res)).toBe(null);
      expect(claims(res)).toEqual({ wrapped: false, caught: 0 });
      await expectGoodServed();
    });
  }

  it("replacing Promise.prototype.then and a hostile Symbol.species do not stop the flow from awaiting handlers", async () => {
    const res = await runner.runActions(
      input([
        {
          code: handler(`
            const attempt = (f) => { try { f(); return 1; } catch (e) { return 0; } };
            const Evil = function (executor) { executor(() => {}, () => {}); throw new Error("species"); };
            const done =
              attempt(() => { Promise.prototype.then = function () { throw new Error("then is gone"); }; }) +
              attempt(() => Object.defineProperty(Promise, Symbol.species, { get: () => Evil, configurable: true })) +
              attempt(() => Object.defineProperty(Array, Symbol.species, { get: () => Evil, configurable: true }));
            api.idToken.setCustomClaim("tampered", done);
            api.idToken.setCustomClaim("one", 1);`),
        },
        { code: handler('await null; api.idToken.setCustomClaim("two", 2);') },
        { name: "gate", code: handler('await undefined; throw new Error("gate says no");') },
      ]),
    );
    expect(failureOf(res)).toEqual({ kind: "denied", rule: "gate", message: "gate says no" });
    expect(claims(res)).toEqual({ tampered: 0, one: 1, two: 2 });
    await expectGoodServed();
  });

  it("replacing JSON, Object.prototype.toJSON and setters cannot forge the result or change recorded values", async () => {
    const res = await runner.runActions(
      input([
        {
          code: handler(
            'api.idToken.setCustomClaim("kept", { plan: "free" }); api.user.setAppMetadata("plan", "free");',
          ),
        },
        {
          name: "forger",
          code: handler(`
            const attempt = (f) => { try { f(); } catch (e) {} };
            const dp = Object.defineProperty, apply = Reflect.apply;
            attempt(() => { Object.prototype.toJSON = function () { return { status: "ok", plan: "forged" }; }; });
            attempt(() => { JSON.stringify = () => '{"status":"ok","commands":{}}'; });
            attempt(() => { JSON.parse = () => ({ status: "ok" }); });
            attempt(() => Object.defineProperty(Object.prototype, "status", { set() { throw new Error("status setter"); }, configurable: true }));
            attempt(() => Object.defineProperty(Object.prototype, "0", { set() { throw new Error("index setter"); }, configurable: true }));
            attempt(() => { Object.defineProperty = () => { throw new Error("defineProperty is gone"); }; });
            attempt(() => { Reflect.apply = () => { throw new Error("Reflect.apply is gone"); }; });
            attempt(() => { Array.prototype.join = () => "hijacked"; });
            // The built-ins are frozen: none of it took effect.
            const effects = [
              "toJSON" in Object.prototype, JSON.stringify({ a: 1 }) !== '{"a":1}', JSON.parse("1") !== 1,
              "status" in Object.prototype, "0" in Object.prototype, Object.defineProperty !== dp,
              Reflect.apply !== apply, [1, 2].join("-") !== "1-2",
            ].filter(Boolean).length;
            console.log("still logged", effects);`),
        },
        { name: "gate", code: handler('api.access.deny("gate says no");') },
      ]),
    );
    expect(res.ok).toBe(true);
    expect(res.commands.denied).toEqual({ action: "gate", reason: "gate says no" });
    expect(claims(res)).toEqual({ kept: { plan: "free" } });
    expect(res.commands.metadata.app).toEqual({ plan: "free" });
    expect(res.console).toEqual(["still logged 0"]);
    await expectGoodServed();
  });

  it("an action cannot reach another action's secrets or cache through traps on shared built-ins", async () => {
    const res = await runner.runActions(
      input([
        {
          name: "spy",
          code: handler(`
            globalThis.stolen = [];
            const note = (v) => { try { globalThis.stolen.push(String(JSON.stringify(v))); } catch (e) {} };
            const attempt = (f) => { try { f(); } catch (e) {} };
            for (const k of ["secrets", "OTHER_KEY", "value", "cache"]) {
              attempt(() => Object.defineProperty(Object.prototype, k, { __proto__: null, get() { note(this); return undefined; }, set(v) { note(v); }, configurable: true }));
            }
            const parse = JSON.parse, keys = Object.keys, dp = Object.defineProperty;
            attempt(() => { JSON.parse = function (t) { note(t); return parse(t); }; });
            attempt(() => { Object.keys = function (o) { note(o); return keys(o); }; });
            attempt(() => { Reflect.defineProperty = function (o, k, d) { note(d); return dp(o, k, d); }; });
            api.idToken.setCustomClaim("spy_cache", [api.cache.get("victim-key") ?? null]);`),
        },
        {
          name: "victim",
          code: handler('api.idToken.setCustomClaim("victim_ok", event.secrets.OTHER_KEY === "s3cr3t");'),
          secrets: { OTHER_KEY: "s3cr3t" },
          cache: { "victim-key": { value: "private", expires_at: Date.now() + 60_000 } },
        },
        {
          name: "reader",
          code: handler('api.idToken.setCustomClaim("stolen", globalThis.stolen.join("|"));'),
        },
      ]),
    );
    expect(failureOf(res)).toBe(null);
    const c = claims(res);
    expect(c.spy_cache).toEqual([null]);
    expect(c.victim_ok).toBe(true);
    expect(String(c.stolen)).not.toMatch(/s3cr3t|private/);
    await expectGoodServed();
  });

  it("Error.prepareStackTrace sees no host function in any stack frame", async () => {
    const res = await hostile(`
      const found = [];
      Error.prepareStackTrace = (e, frames) => { frames.forEach((f) => { const fn = f.getFunction(); if (fn && !found.includes(fn)) found.push(fn); }); return "stack"; };
      for (const f of [() => api.idToken.setCustomClaim("", 1), () => setTimeout("x"), () => require(42), () => api.authentication.recordMethod()]) {
        try { f(); } catch (e) { e.stack; }
      }
      await fetch(Symbol("x")).catch((e) => e.stack);
      api.idToken.setCustomClaim("native", found.filter((f) => /\\[native code\\]/.test(Function.prototype.toString.call(f))).length);`);
    expect(claims(res)).toEqual({ native: 0 });
    await expectGoodServed();
  });
});

describe("output forged past the bootstrap", () => {
  /**
   * A runner whose actions script skips the bootstrap: its entry hands `result` to the done capability directly.
   */
  const forged = (result: unknown) => {
    const r = createRulesRunner(limits, {
      actionsSource: () =>
        `(function () { var done = globalThis.__pc_done; ` +
        `return function () { done(${JSON.stringify(JSON.stringify(result))}); }; })();`,
    });
    runners.push(r);
    return r.runActions(input([{ name: "a1", code: handler("") }]));
  };
  const envelope = (commands: unknown) => ({ status: "ok", trace: [], console: [], warnings: [], commands });

  it("drops malformed entries and entries naming no action of the run", async () => {
    const res = await forged(
      envelope({
        denied: { action: "someone-else", reason: "x" },
        idTokenClaims: [
          { action: "a1", name: "ok", value: 1 },
          { action: "ghost", name: "x", value: 1 },
          { action: "a1", name: "" },
          7,
        ],
        scopes: [{ action: "a1", op: "grant", scope: "admin" }],
        multifactor: { action: "a1", provider: "any", options: "nope" },
        cache: [{ action: "a1", op: "set", key: "k", value: "v".repeat(5000), expires_at: 1 }],
        redirect: { action: "a1", url: 42 },
      }),
    );
    expect(res.ok).toBe(true);
    expect(res.commands).toEqual({
      denied: null,
      idTokenClaims: [{ action: "a1", name: "ok", value: 1 }],
      accessTokenClaims: [],
      scopes: [],
      multifactor: null,
      metadata: { app: null, user: null },
      cache: [],
      redirect: null,
    });
  });

  it("fails closed on sizes the bootstrap never lets through, and on output that is not a result", async () => {
    const big = "x".repeat(70 * 1024);
    for (const commands of [
      { metadata: { app: { big }, user: null } },
      { idTokenClaims: [{ action: "a1", name: "big", value: "x".repeat(200 * 1024) }] },
      { scopes: Array.from({ length: 300 }, (_, i) => ({ action: "a1", op: "add", scope: `s${i}` })) },
    ]) {
      const res = await forged(envelope(commands));
      expect(failureOf(res)?.kind).toBe("invalid_output");
      expect(res.commands.idTokenClaims).toEqual([]);
    }
    expect(failureOf(await forged({ status: "ok" }))?.kind).toBe("invalid_output");
    expect(failureOf(await forged("not an object"))?.kind).toBe("invalid_output");
  });
});
