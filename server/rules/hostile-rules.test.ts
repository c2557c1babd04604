import { describe, expect, it } from "vitest";
import { findUserByUserId } from "../store/users.ts";
import { RULE_FAILED } from "./outcomes.ts";
import { addRules, resetRules, rulesAudit, tokenClaims } from "../testing/rules.ts";
import { NS, useHostileRules } from "../testing/hostile-harness.ts";

/**
 * Hostile rules. Each case enables a rule that misbehaves only for Mallory, next to a well-behaved rule that adds a
 * claim for everyone; it checks what Mallory's login gets and then that Alice's login, right after, still gets the
 * right answer. The sandbox never touches the database, so this runs on SQLite only. Tampering with the sandbox's
 * own machinery is in hostile-tampering.test.ts.
 */
describe("hostile rules never take the server down or leak into other logins", () => {
  const h = useHostileRules();
  const { login, enable, expectAliceServed, expectGeneric } = h;

  it("1. a synchronous infinite loop times out; a login running at the same time still succeeds", async () => {
    await enable("while (true) {}");
    // Concurrent: each call's collected audit rows include the other's, so only the responses are compared here.
    const [bad, good] = await Promise.all([login(h.mallory), login(h.alice)]);
    expect(bad.body).toEqual({ error: "access_denied", error_description: RULE_FAILED });
    expect(tokenClaims(good).id[`${NS}email`]).toBe(h.alice.email);
    const again = await login(h.mallory);
    expectGeneric(again, "timeout");
    expect(rulesAudit(again).error?.reason).toMatch(/did not finish within/);
    await expectAliceServed();
  });

  it("2. an infinite loop inside a Promise callback times out", async () => {
    await enable("Promise.resolve().then(function () { for (;;) {} });");
    expectGeneric(await login(h.mallory), "timeout");
    await expectAliceServed();
  });

  it("3. an endless microtask chain times out", async () => {
    await enable("(function spin() { Promise.resolve().then(spin); })();");
    expectGeneric(await login(h.mallory), "timeout");
    await expectAliceServed();
  });

  it("4. a memory bomb hits the isolate's memory limit", async () => {
    await enable("var hoard = []; for (;;) hoard.push(new Array(1e5).fill('x'));");
    const res = await login(h.mallory);
    expectGeneric(res, "memory");
    expect(rulesAudit(res).error?.reason).toMatch(/out of memory/);
    await expectAliceServed();
  });

  it("5. deep recursion ends with a RangeError that denies the login", async () => {
    await enable("(function dive(n) { return dive(n + 1) + 1; })(0);");
    const res = await login(h.mallory);
    expect(res.body).toEqual({
      error: "access_denied",
      error_description: "Maximum call stack size exceeded",
    });
    await expectAliceServed();
  });

  it("6. never calling back fails at the rule time limit", async () => {
    await enable("/* forgot the callback */");
    expectGeneric(await login(h.mallory), "timeout");
    await expectAliceServed();
  });

  it("7. calling back twice: the first call wins and the second is recorded", async () => {
    await enable(`callback(null, user, context); callback(new Error('second call'));`);
    const res = await login(h.mallory);
    expect(res.status).toBe(200);
    expect(rulesAudit(res).warnings).toEqual([
      'rule "hostile" called its callback more than once; later calls were ignored',
    ]);
    await expectAliceServed();
  });

  it("8. throwing non-Errors (numbers, null, objects, symbols) denies with a readable message", async () => {
    const cases: [string, string][] = [
      ["throw 42;", "42"],
      ["throw null;", "null"],
      ["throw { message: 'object with a message' };", "object with a message"],
      ["throw Symbol('sym');", "Symbol(sym)"],
      ["throw { toString: function () { throw new Error('nested'); } };", "Unknown error"],
    ];
    for (const [body, description] of cases) {
      await resetRules(h.deps);
      await enable(body);
      const res = await login(h.mallory);
      expect({ status: res.status, body: res.body }).toEqual({
        status: 403,
        body: { error: "access_denied", error_description: description },
      });
    }
    await expectAliceServed();
  });

  it("9. huge console output is capped; the login still completes", async () => {
    await enable(
      "for (var i = 0; i < 100000; i++) console.log('spam spam spam spam spam', i); callback(null, user, context);",
    );
    const res = await login(h.mallory);
    expect(res.status).toBe(200);
    await expectAliceServed();
  });

  it("10. huge claims are refused with a generic error and the size in the audit record", async () => {
    await enable(
      `context.idToken['${NS}blob'] = new Array(200 * 1024).join('x'); callback(null, user, context);`,
    );
    const res = await login(h.mallory);
    expect(res.body).toEqual({ error: "access_denied", error_description: RULE_FAILED });
    expect(rulesAudit(res).error).toMatchObject({ kind: "invalid_claims" });
    expect(rulesAudit(res).error?.reason).toMatch(/custom id_token claims are \d+ bytes \(limit 102400\)/);
    await expectAliceServed();
  });

  it("11. tampering with built-in prototypes and JSON does not leak into the next login", async () => {
    await enable(`
      Object.prototype.polluted = 'yes';
      Array.prototype.map = function () { return ['hijacked']; };
      JSON.stringify = function () { return '"forged"'; };
      Date.now = function () { return 'broken'; };
      callback(null, user, context);`);
    await login(h.mallory);
    await expectAliceServed();
  });

  it("12. process and Node built-ins are unreachable: require('fs') and process fail", async () => {
    await enable("callback(null, user, context, require('fs'));");
    let res = await login(h.mallory);
    expect(res.body.error_description).toMatch(/^Cannot find module 'fs'/);
    await resetRules(h.deps);
    await enable("process.exit(1);");
    res = await login(h.mallory);
    expect(res.body).toEqual({ error: "access_denied", error_description: "process is not defined" });
    await expectAliceServed();
  });

  it("13. this.constructor.constructor('return process')() finds no process", async () => {
    await enable("var p = this.constructor.constructor('return process')(); callback(null, user, context);");
    const res = await login(h.mallory);
    expect(res.body).toEqual({ error: "access_denied", error_description: "process is not defined" });
    await expectAliceServed();
  });

  it("14. host functions reject wrong argument types without crashing anything", async () => {
    await enable(`
      var errors = [];
      function note(p) { return p.then(function () { errors.push('resolved'); }, function (e) { errors.push(e.message); }); }
      Promise.all([
        note(auth0.users.updateAppMetadata(42, 'x')),
        note(auth0.users.updateAppMetadata(user.user_id, 'not an object')),
        note(auth0.users.updateUserMetadata(user.user_id, { self: globalThis })),
        note(fetch(Symbol('x'))),
        note(fetch({ url: 'http://127.0.0.1/' }, 'bad options')),
      ]).then(function () {
        try { setTimeout('alert(1)', 1); } catch (e) { errors.push(e.message); }
        try { globalThis.__pc_settle(1, { not: 'a string' }); errors.push('settle ignored'); } catch (e) { errors.push(e.message); }
        context.idToken['${NS}errors'] = errors;
        callback(null, user, context);
      });`);
    const res = await login(h.mallory);
    expect(tokenClaims(res).id[`${NS}errors`]).toEqual([
      "The user id must be a string",
      "Metadata must be an object",
      "Metadata must be JSON-serializable",
      "fetch is disabled: an administrator must allow the host first",
      "fetch is disabled: an administrator must allow the host first",
      "The callback argument must be a function",
      "settle ignored",
    ]);
    expect((await findUserByUserId(h.deps.db, h.mallory.userId))?.userMetadata).toEqual({});
    await expectAliceServed();
  });

  it("15. unhandled rejections do not affect the login", async () => {
    await enable("Promise.reject(new Error('nobody listens')); callback(null, user, context);");
    expect((await login(h.mallory)).status).toBe(200);
    await expectAliceServed();
  });

  it("16. a timer flood fails the rule instead of the server", async () => {
    await enable("for (var i = 0; i < 1e6; i++) setTimeout(function () {}, 1000);");
    const res = await login(h.mallory);
    expect(res.body).toEqual({
      error: "access_denied",
      error_description: "Too many timers in one rules run",
    });
    await expectAliceServed();
  });

  it("17. an exception thrown from a timer fails the rule that scheduled it", async () => {
    await enable("setTimeout(function () { throw new Error('thrown in a timer'); }, 1);");
    const res = await login(h.mallory);
    expect(res.body).toEqual({ error: "access_denied", error_description: "thrown in a timer" });
    await expectAliceServed();
  });

  it("18. a rule that hands back a circular user fails closed", async () => {
    await enable("var u = { user_id: user.user_id }; u.self = u; callback(null, u, context);");
    const res = await login(h.mallory);
    expectGeneric(res, "invalid_output");
    await expectAliceServed();
  });

  it("19. the per-isolate global cache survives between logins but only as JSON, and never holds functions", async () => {
    await enable(
      "global.counter = (global.counter || 0) + 1; global.fn = function () {}; callback(null, user, context);",
    );
    await login(h.mallory);
    await login(h.mallory);
    await addRules(h.deps, {
      name: "reader",
      script: `function (user, context, callback) {
        context.idToken['${NS}counter'] = global.counter;
        context.idToken['${NS}fn'] = typeof global.fn;
        callback(null, user, context);
      }`,
    });
    const { id } = tokenClaims(await login(h.alice));
    expect(id[`${NS}counter`]).toBeGreaterThanOrEqual(2);
    expect(id[`${NS}fn`]).toBe("undefined");
  });
});
