import { CLI_ACTOR } from "../admin/audit.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MetricObjectWithValues, MetricValue } from "prom-client";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { seedFixture, type TFixture } from "../testing/fixtures.ts";
import { callToken, passwordParams } from "../testing/token-calls.ts";
import { updateAttackProtection } from "../admin/protection/update-attack-protection.ts";
import { addRules, resetRules } from "../testing/rules.ts";
import { GRANTS } from "../oauth/grants/index.ts";
import { MfaRequired, InvalidGrant, TooManyAttempts } from "../oauth/core/errors.ts";
import { createMetrics, GRANT_TYPE_LABELS, type TMetrics } from "../platform/metrics.ts";
import { classifyTokenOutcome, recordTokenOutcome } from "../oauth/record-token-outcome.ts";

type TValues = MetricValue<string>[];

async function values(metrics: TMetrics, name: string): Promise<TValues> {
  const all = (await metrics.registry.getMetricsAsJSON()) as MetricObjectWithValues<MetricValue<string>>[];
  const m = all.find((x) => x.name === name);
  if (!m) throw new Error(`metric ${name} is not registered`);
  return m.values;
}

/** The value of the series whose labels include `labels` (0 when absent). */
function valueOf(vals: TValues, labels: Record<string, string | number>, metricName?: string): number {
  const hit = vals.find(
    (v) =>
      (metricName === undefined || (v as { metricName?: string }).metricName === metricName) &&
      Object.entries(labels).every(([k, want]) => String(v.labels[k]) === String(want)),
  );
  return hit?.value ?? 0;
}

describe("token outcome classification", () => {
  it.each([
    [null, {}, "success"],
    ["invalid_grant", { failureType: "fp" }, "wrong_credentials"],
    ["invalid_grant", { failureType: "fu" }, "wrong_credentials"],
    ["too_many_attempts", { failureType: "limit_wc" }, "blocked"],
    ["too_many_attempts", { failureType: "limit_mu" }, "ip_throttled"],
    ["mfa_required", { failureType: "mfar" }, "mfa_required"],
    ["access_denied", { details: { rules: { error: { kind: "denied" } } } }, "rule_denied"],
    ["unauthorized", { details: { rules: { error: { kind: "unauthorized" } } } }, "rule_denied"],
    ["unauthorized", {}, "user_blocked"],
    ["password_leaked", {}, "password_leaked"],
    ["too_many_attempts", { failureType: "feotpft" }, "rate_limited"],
    ["temporarily_unavailable", {}, "unavailable"],
    ["invalid_request", {}, "invalid_request"],
  ] as const)("%s with %j → %s", (error, audit, outcome) => {
    expect(classifyTokenOutcome(error, audit as Parameters<typeof classifyTokenOutcome>[1])).toBe(outcome);
  });

  it("labels exactly the registered grant types; anything a client makes up is 'other'", async () => {
    expect([...GRANT_TYPE_LABELS].sort()).toEqual([...GRANTS.keys()].sort());
    const metrics = createMetrics();
    metrics.tokenRequest("urn:made-up:" + "x".repeat(50), 400, "unsupported_grant_type", 0.001);
    metrics.tokenRequest(undefined, 400, "invalid_request", 0.001);
    const logins = await values(metrics, "portcullis_logins_total");
    expect(logins.map((v) => v.labels.grant_type)).toEqual(["other", "other"]);
  });

  it("counts MFA: mfa_required by reason, MFA grants by factor and outcome", async () => {
    const metrics = createMetrics();
    const t = performance.now();
    recordTokenOutcome(
      metrics,
      { grantType: "password", audit: { failureType: "mfar", details: { mfa_reason: "rule" } } },
      403,
      new MfaRequired("token"),
      t,
    );
    const otp = "http://auth0.com/oauth/grant-type/mfa-otp";
    recordTokenOutcome(metrics, { grantType: otp, audit: {} }, 200, null, t);
    recordTokenOutcome(metrics, { grantType: otp, audit: {} }, 403, new InvalidGrant("Invalid otp_code."), t);
    recordTokenOutcome(
      metrics,
      { grantType: "http://auth0.com/oauth/grant-type/mfa-recovery-code", audit: {} },
      429,
      new TooManyAttempts("too many"),
      t,
    );
    expect(valueOf(await values(metrics, "portcullis_mfa_required_total"), { reason: "rule" })).toBe(1);
    const mfa = await values(metrics, "portcullis_mfa_verifications_total");
    expect(valueOf(mfa, { factor: "otp", outcome: "success" })).toBe(1);
    expect(valueOf(mfa, { factor: "otp", outcome: "invalid_grant" })).toBe(1);
    expect(valueOf(mfa, { factor: "recovery_code", outcome: "rate_limited" })).toBe(1);
    const logins = await values(metrics, "portcullis_logins_total");
    expect(valueOf(logins, { grant_type: "password", outcome: "mfa_required" })).toBe(1);
  });
});

describe.each(testDatabaseKinds())("metrics from real token requests (%s)", (kind) => {
  let deps: TTestDeps;
  let fx: TFixture;
  beforeAll(async () => {
    deps = await createTestDeps(kind);
    fx = await seedFixture(deps);
    await resetRules(deps);
    await updateAttackProtection(deps, CLI_ACTOR, "brute-force-protection", { max_attempts: 3 });
    deps.config.clear();
  });
  afterAll(async () => {
    await deps?.cleanup();
  });

  it("counts logins by outcome, new blocks, rule and hash durations, and token latency by grant type and status", async () => {
    const web = fx.clients.web;
    const alice = fx.users.alice;
    expect((await callToken(deps, { params: passwordParams(web, alice) })).status).toBe(200);
    const wrong = { ...fx.users.bcrypt, password: "not-the-password" };
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await callToken(deps, { params: passwordParams(web, wrong) })).status);
    expect(statuses).toEqual([403, 403, 403, 429]);
    const unknown = { email: "nobody@example.com", password: "whatever-password" };
    expect((await callToken(deps, { params: passwordParams(web, unknown) })).status).toBe(403);
    expect((await callToken(deps, { params: passwordParams(web, fx.users.blocked) })).status).toBe(401);

    await addRules(deps, {
      name: "deny alice",
      script: `function (user, context, callback) {
        if (user.email === '${alice.email}') return callback(new UnauthorizedError('no entry'));
        callback(null, user, context);
      }`,
    });
    const denied = await callToken(deps, { params: passwordParams(web, alice) });
    expect(denied.status).toBe(401);

    const logins = await values(deps.metrics, "portcullis_logins_total");
    const count = (outcome: string) => valueOf(logins, { grant_type: "password", outcome });
    expect(count("success")).toBe(1);
    expect(count("wrong_credentials")).toBe(4);
    expect(count("blocked")).toBe(1);
    expect(count("user_blocked")).toBe(1);
    expect(count("rule_denied")).toBe(1);

    const blocks = await values(deps.metrics, "portcullis_protection_blocks_total");
    expect(valueOf(blocks, { kind: "brute_force" })).toBe(1);

    const rules = await values(deps.metrics, "portcullis_rules_pipeline_duration_seconds");
    expect(
      valueOf(rules, { outcome: "unauthorized" }, "portcullis_rules_pipeline_duration_seconds_count"),
    ).toBe(1);

    const hashes = await values(deps.metrics, "portcullis_password_hash_duration_seconds");
    // alice twice, the wrong password three times (the fourth attempt is refused before hashing), blocked user.
    expect(valueOf(hashes, { operation: "verify" }, "portcullis_password_hash_duration_seconds_count")).toBe(
      6,
    );
    expect(valueOf(hashes, { operation: "dummy" }, "portcullis_password_hash_duration_seconds_count")).toBe(
      1,
    );
    expect(
      valueOf(hashes, { operation: "verify" }, "portcullis_password_hash_duration_seconds_sum"),
    ).toBeGreaterThan(0);

    const latency = await values(deps.metrics, "portcullis_token_request_duration_seconds");
    const n = (status: number) =>
      valueOf(latency, { grant_type: "password", status }, "portcullis_token_request_duration_seconds_count");
    expect([n(200), n(403), n(429), n(401)]).toEqual([1, 4, 1, 2]);

    const text = await deps.metrics.registry.metrics();
    expect(text).toContain('portcullis_logins_total{grant_type="password",outcome="success"} 1');
    // Metrics carry no identities: no user names, emails, IPs or client ids.
    for (const s of [alice.email, fx.users.bcrypt.email, web.clientId, "198.51.100.10"])
      expect(text).not.toContain(s);
  });
});
