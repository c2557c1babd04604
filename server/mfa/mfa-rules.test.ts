import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generate } from "otplib";
import { decodeJwt } from "jose";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { createFixtureUser, seedFixture, type TFixture } from "../testing/fixtures.ts";
import { callToken, passwordParams, type TTokenResult } from "../testing/token-calls.ts";
import { str } from "../testing/token-checks.ts";
import { createRule } from "../admin/rules/create-rule.ts";
import { TEST_RULES_ADMIN } from "../testing/rules.ts";
import { handleAssociate } from "./mfa-api.ts";
import { MFA_GRANT_MISSING, MFA_GRANT_TYPES, MFA_OTP, MFA_RECOVERY_CODE } from "./require-mfa.ts";
import { MFA_ON_REFRESH } from "../rules/outcomes.ts";
import { updateClient } from "../store/clients.ts";

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
    await updateClient(
      deps.db,
      fx.clients.web.clientId,
      {
        grantTypes: ["password", "refresh_token", ...MFA_GRANT_TYPES],
      },
      deps.clock.now(),
    );
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

// Asks for MFA on the web client's password logins, and both prints and returns (as a claim, the only way a login
// shows what a rule saw) the request body it was given.
const PRINT_BODY = `function (user, context, callback) {
  const body = JSON.stringify(context.request.body);
  console.log('request body', body);
  context.accessToken['https://portcullis.test/body'] = body;
  const completedMfa = !!context.authentication.methods.find((m) => m.name === 'mfa');
  if (!completedMfa && context.clientID === '${"${WEB}"}' && context.protocol === 'oauth2-password') {
    context.multifactor = { provider: 'any', allowRememberBrowser: false };
  }
  callback(null, user, context);
}`;

describe.each(testDatabaseKinds())("secret grant parameters never reach rules (%s)", (kind) => {
  let deps: TTestDeps;
  let fx: TFixture;
  beforeAll(async () => {
    deps = await createTestDeps(kind);
    fx = await seedFixture(deps);
    await updateClient(
      deps.db,
      fx.clients.web.clientId,
      {
        grantTypes: ["password", "refresh_token", ...MFA_GRANT_TYPES],
      },
      deps.clock.now(),
    );
    const script = PRINT_BODY.replace("${WEB}", fx.clients.web.clientId);
    await createRule(deps, TEST_RULES_ADMIN, { name: "print-body", script });
    deps.config.clear();
  });
  afterAll(async () => deps.cleanup());

  /** The request body the rule printed during a successful exchange. */
  function bodySeen(res: TTokenResult): Record<string, unknown> {
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return JSON.parse(str(decodeJwt(str(res.body.access_token))["https://portcullis.test/body"])) as Record<
      string,
      unknown
    >;
  }

  it("the password, mfa_token, otp, recovery_code and refresh_token are stripped from context.request.body", async () => {
    const web = fx.clients.web;
    const audience = fx.apis.orders.identifier;
    const user = await createFixtureUser(deps, fx, {
      connection: "database",
      password: "body-user-password-1",
    });
    const secrets = [user.password, web.secret];
    const noSecretIn = (body: Record<string, unknown>) => {
      for (const s of secrets) expect(JSON.stringify(body)).not.toContain(s);
    };

    // Password grant (a client the rule does not send to MFA).
    const other = fx.clients.nonRotating;
    const plain = bodySeen(
      await callToken(deps, { params: passwordParams(other, user, { audience, scope: "openid" }) }),
    );
    expect(plain).toEqual({
      grant_type: "password",
      client_id: other.clientId,
      username: user.email,
      audience,
      scope: "openid",
    });
    noSecretIn(plain);

    // The web client's password login needs MFA: enrol, then the OTP grant.
    const first = await callToken(deps, {
      params: passwordParams(web, user, { audience, scope: "offline_access" }),
    });
    expect(first.body.error).toBe("mfa_required");
    const mfaToken = str(first.body.mfa_token);
    const assoc = await handleAssociate(
      new Request("https://portcullis.test/mfa/associate", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${mfaToken}` },
        body: JSON.stringify({ authenticator_types: ["otp"] }),
      }),
      deps,
    );
    const { secret, recovery_codes } = (await assoc.json()) as { secret: string; recovery_codes: string[] };
    const otp = await generate({ secret, epoch: Math.floor(deps.clock.now().getTime() / 1000) });
    secrets.push(mfaToken, otp);
    const otpRes = await callToken(deps, {
      params: {
        grant_type: MFA_OTP,
        client_id: web.clientId,
        client_secret: web.secret,
        mfa_token: mfaToken,
        otp,
      },
    });
    const afterOtp = bodySeen(otpRes);
    expect(afterOtp).toEqual({ grant_type: MFA_OTP, client_id: web.clientId });
    noSecretIn(afterOtp);

    // The recovery-code grant.
    const second = await callToken(deps, { params: passwordParams(web, user, { audience }) });
    const mfaToken2 = str(second.body.mfa_token);
    const recoveryCode = str(recovery_codes[0]);
    secrets.push(mfaToken2, recoveryCode);
    const afterRecovery = bodySeen(
      await callToken(deps, {
        params: {
          grant_type: MFA_RECOVERY_CODE,
          client_id: web.clientId,
          client_secret: web.secret,
          mfa_token: mfaToken2,
          recovery_code: recoveryCode,
        },
      }),
    );
    expect(afterRecovery).toEqual({ grant_type: MFA_RECOVERY_CODE, client_id: web.clientId });
    noSecretIn(afterRecovery);

    // The refresh-token grant.
    const refreshToken = str(otpRes.body.refresh_token);
    secrets.push(refreshToken);
    const afterRefresh = bodySeen(
      await callToken(deps, {
        params: {
          grant_type: "refresh_token",
          client_id: web.clientId,
          client_secret: web.secret,
          refresh_token: refreshToken,
        },
      }),
    );
    expect(afterRefresh).toEqual({ grant_type: "refresh_token", client_id: web.clientId });
    noSecretIn(afterRefresh);
  });
});
