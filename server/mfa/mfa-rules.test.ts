import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generate } from "otplib";
import { decodeJwt } from "jose";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { callToken, passwordParams, seedFixture, type TFixture } from "../testing/fixtures.ts";
import { createRule } from "../admin/rules/create-rule.ts";
import { TEST_RULES_ADMIN } from "../rules/testing.ts";
import { handleAssociate } from "./mfa-api.ts";
import { MFA_GRANT_MISSING, MFA_GRANT_TYPES, MFA_OTP } from "./require-mfa.ts";
import { MFA_ON_REFRESH } from "../rules/outcomes.ts";

// Auth0's "require MFA once per session" template, plus a claim that shows what the rule saw.
const REQUIRE_MFA_ONCE = `function (user, context, callback) {
  const completedMfa = !!context.authentication.methods.find((m) => m.name === 'mfa');
  context.accessToken['https://portcullis.test/mfa_done'] = completedMfa;
  if (!completedMfa && context.protocol !== 'oauth2-refresh-token') {
    context.multifactor = { provider: 'any', allowRememberBrowser: false };
  }
  callback(null, user, context);
}`;

describe.each(testDatabaseKinds())("rule-triggered MFA (%s)", (kind) => {
  let deps: TTestDeps;
  let fx: TFixture;
  let refreshToken = "";
  beforeAll(async () => {
    deps = await createTestDeps(kind);
    fx = await seedFixture(deps);
    // The tenant policy stays "never": only the rule asks for MFA.
    await deps.db.client.update({
      where: { clientId: fx.clients.web.clientId },
      data: { grantTypes: JSON.stringify(["password", "refresh_token", ...MFA_GRANT_TYPES]) },
    });
    await createRule(deps, TEST_RULES_ADMIN, { name: "require-mfa-once", script: REQUIRE_MFA_ONCE });
    deps.config.clear();
  });
  afterAll(async () => deps.cleanup());

  it("a rule's context.multifactor answers mfa_required; after the OTP grant the rules run again with mfa in methods", async () => {
    const web = fx.clients.web;
    const first = await callToken(deps, {
      params: passwordParams(web, fx.users.alice, {
        audience: fx.apis.orders.identifier,
        scope: "offline_access",
      }),
    });
    expect(first.status).toBe(403);
    expect(first.body.error).toBe("mfa_required");
    expect(first.logs[0]?.details?.rules).toMatchObject({ multifactor: { rule: "require-mfa-once" } });
    const mfaToken = String(first.body.mfa_token);

    const assoc = await handleAssociate(
      new Request("https://portcullis.test/mfa/associate", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${mfaToken}` },
        body: JSON.stringify({ authenticator_types: ["otp"] }),
      }),
      deps,
    );
    const { secret } = (await assoc.json()) as { secret: string };
    const otp = await generate({ secret, epoch: Math.floor(deps.clock.now().getTime() / 1000) });
    const done = await callToken(deps, {
      params: {
        grant_type: MFA_OTP,
        client_id: web.clientId,
        client_secret: web.secret,
        mfa_token: mfaToken,
        otp,
      },
    });
    expect(done.status).toBe(200);
    // No loop: the rule saw the second factor, and its claim is in the token.
    expect(decodeJwt(String(done.body.access_token))["https://portcullis.test/mfa_done"]).toBe(true);

    // A refresh never asks again (the template skips oauth2-refresh-token)…
    const refreshed = await callToken(deps, {
      params: {
        grant_type: "refresh_token",
        client_id: web.clientId,
        client_secret: web.secret,
        refresh_token: String(done.body.refresh_token),
      },
    });
    expect(refreshed.status).toBe(200);
    refreshToken = String(refreshed.body.refresh_token);
  });

  it("a rule asking for MFA on a refresh-token exchange fails closed", async () => {
    await createRule(deps, TEST_RULES_ADMIN, {
      name: "always-mfa",
      script: `function (user, context, callback) { context.multifactor = { provider: 'any' }; callback(null, user, context); }`,
    });
    deps.config.clear();
    const web2 = fx.clients.web;
    const res = await callToken(deps, {
      params: {
        grant_type: "refresh_token",
        client_id: web2.clientId,
        client_secret: web2.secret,
        refresh_token: refreshToken,
      },
    });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: "access_denied", error_description: MFA_ON_REFRESH });
    expect(res.logs[0]?.details?.rules).toMatchObject({ error: { rule: "always-mfa", kind: "multifactor" } });
  });

  it("a client without the MFA grants gets a clear error, never tokens", async () => {
    const res = await callToken(deps, { params: passwordParams(fx.clients.nonRotating, fx.users.alice) });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: "unauthorized_client", error_description: MFA_GRANT_MISSING });
  });
});
