import { afterAll, describe, expect, it } from "vitest";
import { createRulesRunner } from "./runner.ts";
import type { TActionsRunInput, TActionsRunResult, TJsonObject } from "./types.ts";
import { MAX_RUNS_PER_WARM_CONTEXT } from "./warm-contexts.ts";

/**
 * Actions run in warm contexts: one per flow version, serving its logins one after another (as Auth0's containers
 * do), with the built-ins frozen. These are the ways one login could reach the next through a shared context, each
 * refused, and what Auth0 users rely on that still works.
 */
const limits = { ruleTimeoutMs: 1000, pipelineTimeoutMs: 3000, postCallbackGraceMs: 100 };
const runner = createRulesRunner(limits);
afterAll(() => runner.dispose());

const handler = (body: string, top = "") =>
  `${top}\nexports.onExecutePostLogin = async (event, api) => {\n${body}\n};`;

type TLogin = {
  userId?: string;
  email?: string;
  appMetadata?: TJsonObject;
  body?: TJsonObject;
  key?: string;
};
function login(codes: string[], who: TLogin = {}): Promise<TActionsRunResult> {
  const input: TActionsRunInput = {
    isolateKey: who.key ?? "warm",
    actions: codes.map((code, i) => ({ name: `a${i + 1}`, code, secrets: {}, cache: {} })),
    event: {
      user: {
        user_id: who.userId ?? "auth0|alice",
        email: who.email ?? `${(who.userId ?? "auth0|alice").split("|")[1]}@example.com`,
        email_verified: true,
        app_metadata: who.appMetadata ?? {},
        user_metadata: {},
      },
      client: { client_id: "c", name: "App" },
      request: { ip: "127.0.0.1", body: who.body ?? {}, query: {} },
    },
    executedRules: [],
    fetchAllowedHosts: [],
  };
  return runner.runActions(input);
}
const claims = (res: TActionsRunResult) =>
  Object.fromEntries(res.commands.idTokenClaims.map((c) => [c.name, c.value]));
const ok = (res: TActionsRunResult) => {
  if (!res.ok) throw new Error(`run failed: ${res.failure.kind}: ${res.failure.message}`);
  return res;
};

// The roles action of Auth0's "Add user roles to tokens" template, as a second user's login runs it.
const ROLES = handler(`
  const roles = event.user.app_metadata.roles || [];
  api.idToken.setCustomClaim("roles", roles);
  api.idToken.setCustomClaim("isAdmin", Boolean(event.user.app_metadata.isAdmin));`);

describe("warm Actions contexts", () => {
  it("module scope runs once per context and lives on between the logins of one flow version, as on Auth0", async () => {
    const counter = handler('count++; api.idToken.setCustomClaim("count", count);', "let count = 0;");
    const counts = [];
    for (let i = 0; i < 3; i++) counts.push(claims(ok(await login([counter], { key: "warm-count" }))).count);
    expect(counts).toEqual([1, 2, 3]);
    // Another version of the flow starts from its own module scope.
    const changed = `${counter}\n// v2`;
    expect(claims(ok(await login([changed], { key: "warm-count" }))).count).toBe(1);
  });

  it("logins reuse the flow's context whatever milliseconds the server's clock reading is off; a moved clock shifts Date", async () => {
    const counter = handler(
      'count++; api.idToken.setCustomClaim("count", count); api.idToken.setCustomClaim("year", new Date().getUTCFullYear());',
      "let count = 0;",
    );
    const at = (clockOffsetMs: number) =>
      runner.runActions({
        isolateKey: "warm-clock",
        actions: [{ name: "a1", code: counter, secrets: {}, cache: {} }],
        event: { user: { user_id: "auth0|alice", app_metadata: {}, user_metadata: {} } },
        executedRules: [],
        fetchAllowedHosts: [],
        clockOffsetMs,
      });
    // As the server passes it: the clock read when the request began, minus the real clock later.
    const counts = [];
    for (const offset of [-7, 0, -2, 3]) counts.push(claims(ok(await at(offset))).count);
    expect(counts).toEqual([1, 2, 3, 4]);
    // A test clock ten years ahead gets a context of its own, whose Date follows it.
    const ahead = claims(ok(await at(10 * 366 * 86_400_000)));
    expect(ahead).toEqual({ count: 1, year: new Date().getUTCFullYear() + 10 });
  });

  it("prototype pollution from one user's request data never reaches the next user's login", async () => {
    // A naive deep merge of request data: the classic way user input pollutes Object.prototype.
    const merge = handler(`
      const merge = (target, source) => {
        for (const k of Object.keys(source)) {
          if (source[k] && typeof source[k] === "object") { target[k] = target[k] || {}; merge(target[k], source[k]); }
          else target[k] = source[k];
        }
        return target;
      };
      try { merge({}, event.request.body); } catch (e) { console.log("merge refused:", e.message); }`);
    const polluted = JSON.parse('{"__proto__": {"roles": ["admin"], "isAdmin": true}}') as TJsonObject;
    const attack = await login([merge, ROLES], {
      key: "warm-pollute",
      userId: "auth0|mallory",
      body: polluted,
    });
    expect(claims(ok(attack))).toEqual({ roles: [], isAdmin: false });
    const next = ok(await login([merge, ROLES], { key: "warm-pollute", userId: "auth0|bob" }));
    expect(claims(next)).toEqual({ roles: [], isAdmin: false });
  });

  it("replacing built-ins or globals in one login changes nothing in the next", async () => {
    const tamper = handler(`
      const attempt = (f) => { try { f(); } catch (e) { /* frozen */ } };
      attempt(() => { Array.prototype.includes = () => true; });
      attempt(() => { String.prototype.toLowerCase = () => "example.com"; });
      attempt(() => { JSON.parse = () => ({}); });
      attempt(() => { Object.prototype.email_verified = true; });
      attempt(() => { globalThis.setTimeout = () => 0; });
      attempt(() => { console.log = () => undefined; });
      attempt(() => { Object.defineProperty(Object.prototype, "app_metadata", { get: () => ({ roles: ["admin"] }) }); });
      attempt(() => { Object.setPrototypeOf(Object.prototype, { roles: ["admin"] }); });`);
    const allowlist = handler(`
      const domain = (event.user.email || "").split("@").pop().toLowerCase();
      if (!["example.com"].includes(domain)) api.access.deny("outsider");
      await new Promise((resolve) => setTimeout(resolve, 1));
      console.log("logged");
      api.idToken.setCustomClaim("parsed", JSON.parse('{"a":1}'));`);
    ok(await login([tamper, allowlist, ROLES], { key: "warm-tamper" }));
    const outsider = ok(
      await login([tamper, allowlist, ROLES], {
        key: "warm-tamper",
        userId: "auth0|eve",
        email: "eve@evil.test",
      }),
    );
    expect(outsider.commands.denied).toEqual({ action: "a2", reason: "outsider" });
    const next = ok(await login([tamper, allowlist, ROLES], { key: "warm-tamper", userId: "auth0|bob" }));
    expect(next.commands.denied).toBe(null);
    expect(claims(next)).toEqual({ parsed: { a: 1 }, roles: [], isAdmin: false });
    expect(next.console).toEqual(["logged"]);
  });

  it("code may still override inherited built-in properties on its own objects (override taming)", async () => {
    const res = ok(
      await login(
        [
          handler(`
            class MyError extends Error { constructor(m) { super(m); this.name = "MyError"; } }
            const plain = {}; plain.toString = () => "mine";
            function Legacy() {} Legacy.prototype = Object.create(Object.prototype); Legacy.prototype.constructor = Legacy;
            const list = Object.create(Array.prototype); list.push = () => "own push";
            let strictThrows = false;
            try { (() => { "use strict"; Object.prototype.hasOwnProperty = () => true; })(); } catch (e) { strictThrows = e instanceof TypeError; }
            const hidden = [
              Object.getPrototypeOf([].values().map((x) => x)),
              Object.getPrototypeOf(Iterator.from({ next: () => ({ done: true }) })),
              Object.getPrototypeOf(new Intl.Segmenter().segment("")),
              Object.getPrototypeOf(new Intl.Segmenter().segment("")[Symbol.iterator]()),
              Object.getPrototypeOf(Object.getPrototypeOf((function* () {})())),
              Object.getPrototypeOf([][Symbol.iterator]()),
            ];
            api.idToken.setCustomClaim("checks", [new MyError("x").name, String(plain), new Legacy().constructor === Legacy,
              list.push(), Object.isFrozen(Object.prototype), strictThrows, ({}).hasOwnProperty("x"),
              hidden.every((p) => Object.isFrozen(p))]);`),
        ],
        { key: "warm-override" },
      ),
    );
    expect(claims(res).checks).toEqual(["MyError", "mine", true, "own push", true, true, false, true]);
  });

  it("an api kept from an earlier login cannot act in a later one", async () => {
    const code = handler(
      `
      api.idToken.setCustomClaim("had_kept", kept !== null);
      if (kept) kept.access.deny("from an earlier login");
      if (kept) kept.idToken.setCustomClaim("stale", true);
      kept = api;
      api.idToken.setCustomClaim("user", event.user.user_id);`,
      "let kept = null;",
    );
    const first = ok(await login([code], { key: "warm-stale", userId: "auth0|alice" }));
    expect(claims(first)).toEqual({ had_kept: false, user: "auth0|alice" });
    const second = ok(await login([code], { key: "warm-stale", userId: "auth0|bob" }));
    expect(second.commands.denied).toBe(null);
    expect(claims(second)).toEqual({ had_kept: true, user: "auth0|bob" });
    expect(second.warnings.join("\n")).toMatch(
      /called api\.access\.deny after it finished; the call was ignored/,
    );
  });

  it("a timer a login left running never fires into a later one", async () => {
    const code = handler(`
      api.idToken.setCustomClaim("fired", globalThis.fired || 0);
      setTimeout(() => { globalThis.fired = (globalThis.fired || 0) + 1; api.access.deny("late"); }, 30);`);
    const first = ok(await login([code], { key: "warm-timer" }));
    expect(first.commands.denied).toBe(null);
    await new Promise((r) => setTimeout(r, 100));
    const second = ok(await login([code], { key: "warm-timer" }));
    expect(second.commands.denied).toBe(null);
    expect(claims(second)).toEqual({ fired: 0 });
  });

  it("no finalization callback can fire into a later login", async () => {
    const res = ok(
      await login([handler('api.idToken.setCustomClaim("fr", typeof FinalizationRegistry);')], {
        key: "warm-fr",
      }),
    );
    expect(claims(res)).toEqual({ fr: "undefined" });
  });

  it("logins of one flow running at the same time each get their own answer", async () => {
    const code = handler(`
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 20)));
      api.idToken.setCustomClaim("user", event.user.user_id);
      api.user.setAppMetadata("seen", event.user.user_id);`);
    const users = Array.from({ length: 12 }, (_, i) => `auth0|user${i}`);
    const results = await Promise.all(users.map((userId) => login([code], { key: "warm-parallel", userId })));
    results.forEach((res, i) => {
      expect(claims(ok(res))).toEqual({ user: users[i] });
      expect(res.commands.metadata.app).toEqual({ seen: users[i] });
    });
  });

  it("a run that fails never leaves its context to the next login", async () => {
    // Loading this module fails the first time in a context; a reused context would let the second login through.
    const flaky = handler(
      'api.idToken.setCustomClaim("loaded", true);',
      'globalThis.loads = (globalThis.loads || 0) + 1; if (globalThis.loads === 1) throw new Error("first load fails");',
    );
    for (let i = 0; i < 2; i++) {
      const res = await login([flaky], { key: "warm-flaky" });
      expect(res.ok).toBe(false);
      if (!res.ok)
        expect(res.failure).toMatchObject({ kind: "denied", rule: "a1", message: "first load fails" });
    }
  });

  it(`a context is recycled after ${MAX_RUNS_PER_WARM_CONTEXT} logins, so module state an action grows stays bounded`, async () => {
    const grow = handler(
      'seen.push(event.user.user_id); api.idToken.setCustomClaim("seen", seen.length);',
      "const seen = [];",
    );
    let last = 0;
    for (let i = 0; i < MAX_RUNS_PER_WARM_CONTEXT; i++)
      last = claims(ok(await login([grow], { key: "warm-recycle" }))).seen as number;
    expect(last).toBe(MAX_RUNS_PER_WARM_CONTEXT);
    expect(claims(ok(await login([grow], { key: "warm-recycle" }))).seen).toBe(1);
  });

  it("a syntax error fails every login of the flow, naming the action", async () => {
    for (let i = 0; i < 2; i++) {
      const res = await login([ROLES, "exports.onExecutePostLogin = async (event, api) => {"], {
        key: "warm-syntax",
      });
      expect(res.ok).toBe(false);
      if (!res.ok) expect(res.failure).toMatchObject({ kind: "syntax", rule: "a2" });
    }
  });
});
