import { describe, expect, it } from "vitest";
import { findUserByUserId } from "../store/users.ts";
import { RULE_FAILED } from "./outcomes.ts";
import { addRules, rulesAudit, tokenClaims } from "../testing/rules.ts";
import { NS, useHostileRules } from "../testing/hostile-harness.ts";

/**
 * Hostile rules that tamper with the built-ins the sandbox's own bootstrap runs on, or hand it objects that fight
 * back. Rule code shares its context's built-ins, so it may replace any of them; what it must never get is a raw
 * host function (and with it a way to flood the server), another login's data, or a result the rules did not
 * decide. Numbered after hostile-rules.test.ts's 19 cases.
 */
describe("rules tampering with the sandbox's built-ins", () => {
  const h = useHostileRules();
  const { login, enable, expectAliceServed, expectGeneric } = h;

  /**
   * A rule body that wraps `Function.prototype[method]`, collects every function it is called on, makes the
   * bootstrap busy (timer, console, metadata, fetch), floods whatever it caught with 64 KiB strings and reports how
   * many functions it caught that rule code could not reach otherwise.
   */
  function catchHostFunctions(method: "apply" | "call" | "bind"): string {
    return `
      var seen = [], original = Function.prototype.${method};
      Function.prototype.${method} = function () {
        if (seen.indexOf(this) < 0) seen.push(this);
        return Reflect.apply(original, this, arguments);
      };
      var reachable = [setTimeout, setInterval, clearTimeout, fetch, console.log, auth0.users.updateUserMetadata, callback];
      setTimeout(function () {
        console.log('after a timer');
        fetch('https://example.com/').catch(function () {}).then(function () {
          Function.prototype.${method} = original;
          var foreign = seen.filter(function (f) { return reachable.indexOf(f) < 0 && /\\[native code\\]/.test(Function.prototype.toString.call(f)); });
          var big = new Array(64 * 1024).join('x');
          foreign.forEach(function (f) { for (var i = 0; i < 2000; i++) { try { f(i + 1, big); } catch (e) {} } });
          context.idToken['${NS}caught'] = foreign.length;
          callback(null, user, context);
        });
      }, 1);`;
  }

  for (const [n, method] of [
    [20, "apply"],
    [21, "call"],
    [22, "bind"],
  ] as const) {
    it(`${n}. wrapping Function.prototype.${method} catches no host function; a login at the same time is served`, async () => {
      await enable(catchHostFunctions(method));
      const [bad, good] = await Promise.all([login(h.mallory), login(h.alice)]);
      expect(tokenClaims(good).id[`${NS}email`]).toBe(h.alice.email);
      expect({ status: bad.status, rules: bad.status === 200 ? null : rulesAudit(bad) }).toEqual({
        status: 200,
        rules: null,
      });
      expect(tokenClaims(bad).id[`${NS}caught`]).toBe(0);
      await expectAliceServed();
    });
  }

  it("23. replacing Promise.prototype.then does not stop timers, metadata updates or the pipeline", async () => {
    await enable(`
      Promise.prototype.then = function () { throw new Error('then is gone'); };
      auth0.users.updateUserMetadata(user.user_id, { theme: 'dark' }, function (err) {
        if (err) return callback(err);
        setTimeout(function () { callback(null, user, context); }, 1);
      });`);
    const res = await login(h.mallory);
    expect(res.status).toBe(200);
    expect((await findUserByUserId(h.deps.db, h.mallory.userId))?.userMetadata).toEqual({ theme: "dark" });
    await expectAliceServed();
  });

  it("24. replacing Array.prototype methods and index setters leaves console capture and the trace intact", async () => {
    await enable(
      `
      ['push', 'concat', 'join', 'slice', 'forEach', 'map', 'filter', 'indexOf'].forEach(function (m) {
        Array.prototype[m] = function () { throw new Error('Array.prototype.' + m + ' is gone'); };
      });
      Object.defineProperty(Array.prototype, '0', { set: function () { throw new Error('index setter'); }, configurable: true });
      console.log('still', 'logged');
      setTimeout(function (a, b) { context.idToken['${NS}args'] = a + ' ' + b; callback(null, user, context); }, 1, 'extra', 'args');`,
      { isLast: true },
    );
    const res = await login(h.mallory);
    expect(tokenClaims(res).id[`${NS}args`]).toBe("extra args");
    expect(rulesAudit(res).ran.map((r) => r.name)).toEqual(["well-behaved", "hostile"]);
    await expectAliceServed();
  });

  it("25. replacing JSON.stringify and JSON.parse does not change the result the rules decided", async () => {
    await enable(`
      JSON.stringify = function () { return '{"status":"ok"}'; };
      JSON.parse = function () { return { status: 'ok' }; };
      callback(new UnauthorizedError('denied despite the forged JSON'));`);
    const res = await login(h.mallory);
    expect({ status: res.status, body: res.body }).toEqual({
      status: 401,
      body: { error: "unauthorized", error_description: "denied despite the forged JSON" },
    });
    await expectAliceServed();
  });

  it("26. Object.prototype.toJSON cannot turn a later rule's denial into a success", async () => {
    await addRules(
      h.deps,
      {
        name: "forger",
        script: `function (user, context, callback) {
          // Only the run's result envelope (the object with a trace) is forged; everything else serializes as is.
          Object.prototype.toJSON = function () {
            if (!Object.prototype.hasOwnProperty.call(this, 'trace')) return this;
            return { status: 'ok', user: { user_id: user.user_id }, context: { idToken: {}, accessToken: {} }, trace: [],
              console: [], warnings: [], metadata: { app: null, user: null }, setBy: {}, globalCache: '{}' };
          };
          callback(null, user, context);
        }`,
      },
      { name: "gate", script: "function (user, context, callback) { callback(new Error('gate says no')); }" },
    );
    const res = await login(h.mallory);
    expect({ status: res.status, body: res.body }).toEqual({
      status: 403,
      body: { error: "access_denied", error_description: "gate says no" },
    });
  });

  it("27. defining getters and setters on the global object and Object.prototype breaks nothing else", async () => {
    await enable(`
      Object.defineProperty(globalThis, 'trap', { get: function () { throw new Error('global getter'); }, enumerable: true });
      Object.defineProperty(Object.prototype, 'get', { value: function () { return 'poisoned descriptor'; }, configurable: true });
      Object.defineProperty(Object.prototype, 'status', { set: function () { throw new Error('status setter'); }, configurable: true });
      Object.defineProperty = function () { throw new Error('defineProperty is gone'); };
      Reflect.apply = function () { throw new Error('Reflect.apply is gone'); };
      console.log('fine');
      callback(null, user, context);`);
    const res = await login(h.mallory);
    expect(res.status).toBe(200);
    await expectAliceServed();
  });

  it("28. a hostile Symbol.species on Promise and Array does not reach the bootstrap", async () => {
    await enable(
      `
      var Evil = function (executor) { executor(function () {}, function () {}); throw new Error('species'); };
      Object.defineProperty(Promise, Symbol.species, { get: function () { return Evil; }, configurable: true });
      Object.defineProperty(Array, Symbol.species, { get: function () { return Evil; }, configurable: true });
      setTimeout(function () {
        auth0.users.updateAppMetadata(user.user_id, { plan: 'gold' }, function (err) { callback(err, user, context); });
      }, 1);`,
      { isLast: true },
    );
    const res = await login(h.mallory);
    expect(res.status).toBe(200);
    expect((await findUserByUserId(h.deps.db, h.mallory.userId))?.appMetadata).toMatchObject({
      plan: "gold",
    });
    await expectAliceServed();
  });

  it("29. a user with a throwing getter fails the login closed", async () => {
    await enable(
      `
      Object.defineProperty(user, 'email', { get: function () { throw new Error('boom'); }, enumerable: true });
      callback(null, user, context);`,
      { isLast: true },
    );
    const res = await login(h.mallory);
    expect({ status: res.status, body: res.body }).toEqual({
      status: 403,
      body: { error: "access_denied", error_description: RULE_FAILED },
    });
    expect(rulesAudit(res).error).toMatchObject({ kind: "invalid_output" });
    await expectAliceServed();
  });

  it("30. a Proxy as context whose traps throw fails the login closed", async () => {
    await enable(`
      var trap = function () { throw new Error('trapped'); };
      callback(null, user, new Proxy(context, { get: trap, ownKeys: trap, getOwnPropertyDescriptor: trap, has: trap }));`);
    const res = await login(h.mallory);
    expect(res.status).toBe(403);
    expect(res.body.error).toBe("access_denied");
    await expectAliceServed();
  });

  it("31. a Proxy as user whose trap never returns is stopped by the time limit", async () => {
    await enable(`callback(null, new Proxy(user, { ownKeys: function () { for (;;) {} } }), context);`, {
      isLast: true,
    });
    expectGeneric(await login(h.mallory), "timeout");
    await expectAliceServed();
  });

  it("32. a toJSON that returns a huge string is refused as output, not sent to the host", async () => {
    await enable(`
      user.toJSON = function () { return new Array(3 * 1024 * 1024).join('x'); };
      callback(null, user, context);`);
    const res = await login(h.mallory);
    expectGeneric(res, "invalid_output", null);
    expect(rulesAudit(res).error?.reason).toMatch(/more than \d+ bytes/);
    await expectAliceServed();
  });

  it("33. huge strings through console.log are cut at the console cap", async () => {
    await enable(`
      var big = new Array(4 * 1024 * 1024).join('x');
      for (var i = 0; i < 50; i++) console.log(big, big, { big: big });
      callback(null, user, context);`);
    const res = await login(h.mallory);
    expect(res.status).toBe(200);
    await expectAliceServed();
  });

  it("34. metadata grown past its limit in several updates: the update over it is refused and never stored", async () => {
    await enable(`
      var chunk = new Array(40 * 1024).join('x');
      auth0.users.updateUserMetadata(user.user_id, { first: chunk })
        .then(function () { return auth0.users.updateUserMetadata(user.user_id, { second: chunk }); })
        .then(function () { callback(null, user, context); }, function (e) { callback(e); });`);
    const res = await login(h.mallory);
    expect(res.body).toEqual({
      error: "access_denied",
      error_description: "Metadata larger than 65536 bytes",
    });
    // Auth0 stores each update as it is made; the first was within the limit, the second never is.
    const stored = (await findUserByUserId(h.deps.db, h.mallory.userId))?.userMetadata as Record<
      string,
      unknown
    >;
    expect(Object.keys(stored)).toContain("first");
    expect(Object.keys(stored)).not.toContain("second");
    await expectAliceServed();
  });

  it("35. a user nested two thousand levels deep is refused before the server parses it", async () => {
    await enable(`
      var deep = {};
      for (var i = 0; i < 2000; i++) deep = { d: deep };
      user.app_metadata.deep = deep;
      callback(null, user, context);`);
    const res = await login(h.mallory);
    // The host refuses the text before parsing it, so it can only name the rule that ran last.
    expectGeneric(res, "invalid_output", "well-behaved");
    expect(rulesAudit(res).error?.reason).toMatch(/nested deeper than 64 levels/);
    await expectAliceServed();
  });

  it("36. an endless loop queued after the callback does not hold up the next logins", async () => {
    await enable(`
      callback(null, user, context);
      var p = Promise.resolve();
      for (var i = 0; i < 50; i++) p = p.then(function () {});
      p.then(function () { for (;;) {} });`);
    expect((await login(h.mallory)).status).toBe(200);
    const started = performance.now();
    await expectAliceServed();
    // The isolate is retired a short grace after the result; without that, Alice waits for the 1500 ms time limit.
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("37. timers and intervals left running after the callback never fire", async () => {
    await enable(`
      callback(null, user, context);
      setInterval(function () { for (;;) {} }, 1);
      setTimeout(function () { global.leaked = 'yes'; }, 1);`);
    expect((await login(h.mallory)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    const res = await expectAliceServed();
    expect(rulesAudit(res).warnings ?? []).toEqual([]);
  });

  it("38. Error.prepareStackTrace sees no host function in any stack frame", async () => {
    await enable(`
      var found = [];
      Error.prepareStackTrace = function (e, frames) {
        frames.forEach(function (f) { var fn = f.getFunction(); if (fn && found.indexOf(fn) < 0) found.push(fn); });
        return 'stack';
      };
      try { auth0.users.updateUserMetadata(42, {}).then(undefined, function (e) { return e.stack; }); } catch (e) {}
      try { setTimeout('not a function'); } catch (e) { e.stack; }
      try { fetch(Symbol('x')).then(undefined, function (e) { return e.stack; }); } catch (e) {}
      try { require(42); } catch (e) { e.stack; }
      setTimeout(function () {
        context.idToken['${NS}native'] = found.filter(function (f) { return /\\[native code\\]/.test(Function.prototype.toString.call(f)); }).length;
        callback(null, user, context);
      }, 1);`);
    const res = await login(h.mallory);
    expect(tokenClaims(res).id[`${NS}native`]).toBe(0);
    await expectAliceServed();
  });

  it("39. the capability settle function cannot be replaced, and forged replies only reach the forging login", async () => {
    await enable(`
      var replaced = false;
      try { globalThis.__pc_settle = function () {}; replaced = globalThis.__pc_settle.length === 0; } catch (e) {}
      try { delete globalThis.__pc_settle; } catch (e) {}
      for (var id = 1; id < 50; id++) globalThis.__pc_settle(id, '{"ok":true,"status":200,"headers":{},"body":"forged"}');
      context.idToken['${NS}replaced'] = replaced;
      callback(null, user, context);`);
    const res = await login(h.mallory);
    expect(tokenClaims(res).id[`${NS}replaced`]).toBe(false);
    await expectAliceServed();
  });
});
