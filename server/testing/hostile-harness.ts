import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import { createTestDeps, type TTestDeps } from "./test-deps.ts";
import { createFixtureUser, seedFixture, type TFixture, type TFixtureUser } from "./fixtures.ts";
import { callToken, realmParams, type TTokenResult } from "./token-calls.ts";
import { RULE_FAILED } from "../rules/outcomes.ts";
import { RULES_TEST_ENV, addRules, resetRules, rulesAudit, tokenClaims } from "./rules.ts";

/** Claim namespace of the hostile-rule tests. */
export const NS = "https://portcullis.test/";

export type THostileHarness = {
  deps: TTestDeps;
  fx: TFixture;
  mallory: TFixtureUser;
  alice: TFixtureUser;
  login(who: TFixtureUser): Promise<TTokenResult>;
  /**
   * Enable a rule whose body runs only for Mallory, then a well-behaved rule that adds claims for everyone (before
   * it instead with `isLast`, for tampering that would also break the well-behaved rule in Mallory's login).
   */
  enable(hostileBody: string, opts?: { isLast?: boolean }): Promise<void>;
  /** Alice's login right after gets her claims from a clean sandbox, with both rules run. */
  expectAliceServed(): Promise<TTokenResult>;
  /**
   * Mallory's login failed closed with the generic rules error; the audit record names the rule (the hostile one
   * unless said otherwise; null when the result failed after every rule had finished).
   */
  expectGeneric(res: TTokenResult, kind: string, rule?: string | null): void;
};

/**
 * The hostile-rule harness: a SQLite database (the sandbox never touches the database) with Mallory, whose rule
 * misbehaves, and Alice, whose login right after must still get the right answer. Registers the enclosing describe
 * block's hooks; the fields are filled in by the time tests run.
 */
export function useHostileRules(): THostileHarness {
  const h = {} as THostileHarness;
  beforeAll(async () => {
    h.deps = await createTestDeps("sqlite", RULES_TEST_ENV);
    h.fx = await seedFixture(h.deps);
    h.mallory = await createFixtureUser(h.deps, h.fx, {
      connection: "database",
      email: "mallory-rules@example.com",
      password: "mallory-password-1",
    });
    h.alice = await createFixtureUser(h.deps, h.fx, {
      connection: "database",
      email: "alice-rules@example.com",
      password: "alice-password-1",
    });
  });
  afterAll(async () => {
    await h.deps?.cleanup();
  });
  beforeEach(async () => {
    await resetRules(h.deps);
  });

  h.login = (who) =>
    callToken(h.deps, { params: realmParams(h.fx.clients.web, who, who.connection, { scope: "openid" }) });

  h.enable = async (hostileBody, opts = {}) => {
    const hostile = {
      name: "hostile",
      script: `function (user, context, callback) {
          if (user.email !== '${h.mallory.email}') return callback(null, user, context);
          ${hostileBody}
        }`,
    };
    const wellBehaved = {
      name: "well-behaved",
      script: `function (user, context, callback) {
          context.idToken['${NS}email'] = user.email;
          context.idToken['${NS}clean'] = ({}).polluted === undefined && [1, 2].map(function (x) { return x * 2; }).join() === '2,4'
            && JSON.stringify({ a: 1 }) === '{"a":1}' && typeof Date.now() === 'number';
          callback(null, user, context);
        }`,
    };
    await addRules(h.deps, ...(opts.isLast ? [wellBehaved, hostile] : [hostile, wellBehaved]));
  };

  h.expectAliceServed = async () => {
    const res = await h.login(h.alice);
    const { id } = tokenClaims(res);
    expect(id[`${NS}email`]).toBe(h.alice.email);
    expect(id[`${NS}clean`]).toBe(true);
    expect(rulesAudit(res).ran.map((r) => r.outcome)).toEqual(["ok", "ok"]);
    return res;
  };

  h.expectGeneric = (res, kind, rule = "hostile") => {
    expect({ status: res.status, body: res.body }).toEqual({
      status: 403,
      body: { error: "access_denied", error_description: RULE_FAILED },
    });
    expect(rulesAudit(res).error).toMatchObject({ rule, kind });
  };
  return h;
}
