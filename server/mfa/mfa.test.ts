import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generate } from "otplib";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import {
  createFixtureUser,
  seedFixture,
  type TFixture,
  type TFixtureUser,
  type TSecretClient,
} from "../testing/fixtures.ts";
import { callToken, passwordParams, type TTokenResult } from "../testing/token-calls.ts";
import { verifyRs256AccessToken } from "../testing/token-checks.ts";
import { serializedAuditRows } from "../testing/stored-rows.ts";
import { updateTenant } from "../store/tenant.ts";
import { hash as bcryptHash } from "@node-rs/bcrypt";
import { importUsers } from "../tenant/import-users.ts";
import { upsertResourceServer } from "../store/resource-servers.ts";
import { MFA_GRANT_MISSING, MFA_GRANT_TYPES, MFA_OTP, MFA_RECOVERY_CODE } from "./require-mfa.ts";
import {
  handleAssociate,
  handleChallenge,
  handleDeleteAuthenticator,
  handleListAuthenticators,
  mfaApiAudience,
} from "./mfa-api.ts";
import { updateClient } from "../store/clients.ts";

const MFA_REQUIRED = "Multifactor authentication required";

function str(v: unknown): string {
  if (typeof v !== "string") throw new Error(`expected a string, got ${JSON.stringify(v)}`);
  return v;
}

describe.each(testDatabaseKinds())("MFA for the password grant over HTTP (%s)", (kind) => {
  let deps: TTestDeps;
  let fx: TFixture;
  /** The web client with the MFA toggle on. */
  let web: TSecretClient;
  const issued: string[] = [];

  const totp = async (secret: string, offsetS = 0) =>
    generate({ secret, epoch: Math.floor(deps.clock.now().getTime() / 1000) + offsetS });

  async function api(
    handler: (req: Request, d: TTestDeps) => Promise<Response>,
    init: { method: string; path: string; bearer?: string; body?: unknown },
  ): Promise<{ status: number; body: unknown }> {
    const headers = new Headers({ "content-type": "application/json" });
    if (init.bearer) headers.set("authorization", `Bearer ${init.bearer}`);
    const res = await handler(
      new Request(`https://portcullis.test${init.path}`, {
        method: init.method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      }),
      deps,
    );
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
  }

  async function login(user: TFixtureUser, client: TSecretClient = web, extra: Record<string, string> = {}) {
    return callToken(deps, { params: passwordParams(client, user, extra) });
  }

  async function mfaTokenFor(user: TFixtureUser, extra: Record<string, string> = {}): Promise<string> {
    const res = await login(user, web, extra);
    expect(res.status).toBe(403);
    return str(res.body.mfa_token);
  }

  async function enroll(user: TFixtureUser): Promise<{ secret: string; recovery: string; mfaToken: string }> {
    const mfaToken = await mfaTokenFor(user);
    const res = await api(handleAssociate, {
      method: "POST",
      path: "/mfa/associate",
      bearer: mfaToken,
      body: { authenticator_types: ["otp"] },
    });
    expect(res.status).toBe(200);
    const body = res.body as { secret: string; barcode_uri: string; recovery_codes: string[] };
    return { secret: body.secret, recovery: str(body.recovery_codes[0]), mfaToken };
  }

  function otpGrant(mfaToken: string, otp: string, client: TSecretClient = web): Promise<TTokenResult> {
    return callToken(deps, {
      params: {
        grant_type: MFA_OTP,
        client_id: client.clientId,
        client_secret: client.secret,
        mfa_token: mfaToken,
        otp,
      },
    });
  }

  function recoveryGrant(mfaToken: string, code: string): Promise<TTokenResult> {
    return callToken(deps, {
      params: {
        grant_type: MFA_RECOVERY_CODE,
        client_id: web.clientId,
        client_secret: web.secret,
        mfa_token: mfaToken,
        recovery_code: code,
      },
    });
  }

  function keep(res: TTokenResult): TTokenResult {
    for (const k of ["access_token", "id_token", "refresh_token", "mfa_token", "recovery_code"]) {
      if (typeof res.body[k] === "string") issued.push(res.body[k]);
    }
    return res;
  }

  beforeAll(async () => {
    deps = await createTestDeps(kind);
    fx = await seedFixture(deps);
    web = fx.clients.web;
    await updateClient(
      deps.db,
      web.clientId,
      {
        grantTypes: ["password", "refresh_token", ...MFA_GRANT_TYPES],
      },
      deps.clock.now(),
    );
    await upsertResourceServer(
      deps.db,
      {
        identifier: mfaApiAudience(deps),
        name: "MFA API",
        scopes: ["read:authenticators", "remove:authenticators", "enroll"].map((value) => ({ value })),
        signingAlg: "RS256",
        allowOfflineAccess: false,
      },
      deps.clock.now(),
    );
    await updateTenant(deps.db, { mfaPolicy: "always" }, deps.clock.now());
    deps.config.clear();
  });

  afterAll(async () => {
    await deps.cleanup();
  });

  it("policy always: the password answers 403 mfa_required with an mfa_token, logged mfar, no tokens", async () => {
    const res = keep(await login(fx.users.alice));
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      error: "mfa_required",
      error_description: MFA_REQUIRED,
      mfa_token: expect.any(String),
    });
    expect(res.logs.map((l) => l.type)).toEqual(["mfar"]);
  });

  it("a client without the MFA grant gets a clear error and no tokens", async () => {
    const basic = fx.clients.basic;
    const res = await callToken(deps, {
      basic: { id: basic.clientId, secret: basic.secret },
      params: { grant_type: "password", username: fx.users.alice.email, password: fx.users.alice.password },
    });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: "unauthorized_client", error_description: MFA_GRANT_MISSING });
    expect(res.logs.map((l) => l.type)).toEqual(["fepft"]);
  });

  it("concurrent wrong codes take exactly the 10 slots of the bucket", async () => {
    const user = await createFixtureUser(deps, fx, { connection: "database", password: "pw-race-1" });
    const { secret } = await enroll(user);
    const mfaToken = await mfaTokenFor(user);
    const good = await totp(secret);
    const wrong = good === "123456" ? "654321" : "123456";
    const results = await Promise.all(Array.from({ length: 16 }, () => otpGrant(mfaToken, wrong)));
    expect(results.map((r) => r.status).sort()).toEqual([...Array(10).fill(403), ...Array(6).fill(429)]);
  });

  it("enrolment, first OTP activates it, tokens keep the original audience and scope", async () => {
    const user = await createFixtureUser(deps, fx, { connection: "database", password: "pw-enrol-1" });
    const mfaToken = await mfaTokenFor(user, {
      audience: fx.apis.orders.identifier,
      scope: "openid read:orders",
    });
    const empty = await api(handleListAuthenticators, {
      method: "GET",
      path: "/mfa/authenticators",
      bearer: mfaToken,
    });
    expect(empty).toEqual({ status: 200, body: [] });
    const assoc = await api(handleAssociate, {
      method: "POST",
      path: "/mfa/associate",
      bearer: mfaToken,
      body: { authenticator_types: ["otp"] },
    });
    expect(assoc.status).toBe(200);
    const a = assoc.body as Record<string, unknown>;
    expect(a.authenticator_type).toBe("otp");
    expect(str(a.secret)).toMatch(/^[A-Z2-7]+=*$/);
    expect(str(a.barcode_uri)).toMatch(/^otpauth:\/\/totp\/Acme:.*secret=.*issuer=Acme.*digits=6&period=30$/);
    expect(a.recovery_codes).toEqual([expect.stringMatching(/^[A-Z0-9]{24}$/)]);

    const listed = await api(handleListAuthenticators, {
      method: "GET",
      path: "/mfa/authenticators",
      bearer: mfaToken,
    });
    expect(listed.body).toEqual([
      { id: expect.stringMatching(/^totp\|dev_/), authenticator_type: "otp", active: false },
      {
        id: expect.stringMatching(/^recovery-code\|dev_/),
        authenticator_type: "recovery-code",
        active: false,
      },
    ]);
    const challenge = await api(handleChallenge, {
      method: "POST",
      path: "/mfa/challenge",
      body: {
        mfa_token: mfaToken,
        client_id: web.clientId,
        client_secret: web.secret,
        challenge_type: "otp",
      },
    });
    expect(challenge).toEqual({
      status: 400,
      body: { error: "association_required", error_description: "User is not enrolled." },
    });

    const ok = keep(await otpGrant(mfaToken, await totp(str(a.secret))));
    expect(ok.status).toBe(200);
    const granted = str(ok.body.scope).split(" ");
    expect(granted).toEqual(expect.arrayContaining(["openid", "read:orders"]));
    expect(granted).not.toContain("write:orders");
    const claims = await verifyRs256AccessToken(deps, str(ok.body.access_token), {
      audience: fx.apis.orders.identifier,
    });
    expect(claims.sub).toBe(user.userId);
    expect(ok.logs.map((l) => l.type).sort()).toEqual([
      "gd_auth_succeed",
      "gd_enrollment_complete",
      "seotpft",
    ]);

    const after = await api(handleListAuthenticators, {
      method: "GET",
      path: "/mfa/authenticators",
      bearer: mfaToken,
    });
    expect((after.body as { active: boolean }[]).map((x) => x.active)).toEqual([true, true]);
    // Enrolled now: the mfa_token can no longer add a factor, and challenge says otp.
    const again = await api(handleAssociate, {
      method: "POST",
      path: "/mfa/associate",
      bearer: mfaToken,
      body: { authenticator_types: ["otp"] },
    });
    expect(again).toEqual({
      status: 403,
      body: { error: "access_denied", error_description: "User is already enrolled." },
    });
    const ch = await api(handleChallenge, {
      method: "POST",
      path: "/mfa/challenge",
      body: {
        mfa_token: mfaToken,
        client_id: web.clientId,
        client_secret: web.secret,
        challenge_type: "otp",
      },
    });
    expect(ch).toEqual({ status: 200, body: { challenge_type: "otp" } });
    const oob = await api(handleChallenge, {
      method: "POST",
      path: "/mfa/challenge",
      body: {
        mfa_token: mfaToken,
        client_id: web.clientId,
        client_secret: web.secret,
        challenge_type: "oob",
      },
    });
    expect(oob.status).toBe(400);
    expect((oob.body as { error: string }).error).toBe("unsupported_challenge_type");
  });

  it("a replayed code is refused, a wrong one too, with Auth0's text", async () => {
    const user = await createFixtureUser(deps, fx, { connection: "database", password: "pw-replay-1" });
    const { secret, mfaToken } = await enroll(user);
    const code = await totp(secret);
    expect(keep(await otpGrant(mfaToken, code)).status).toBe(200);
    const token2 = await mfaTokenFor(user);
    const replay = await otpGrant(token2, code);
    expect(replay.status).toBe(403);
    expect(replay.body).toEqual({ error: "invalid_grant", error_description: "Invalid otp_code." });
    expect(replay.logs.map((l) => l.type).sort()).toEqual(["feotpft", "gd_auth_failed"]);
    deps.clock.advance(30_000);
    expect(keep(await otpGrant(token2, await totp(secret))).status).toBe(200);
  });

  it("wrong codes drain a bucket of 10, then 429 too_many_attempts even for the right code; one refills in 6 min", async () => {
    const user = await createFixtureUser(deps, fx, { connection: "database", password: "pw-bucket-1" });
    const { secret } = await enroll(user);
    const mfaToken = await mfaTokenFor(user);
    const good = await totp(secret);
    const wrong = good === "000000" ? "111111" : "000000";
    for (let i = 0; i < 10; i++) expect((await otpGrant(mfaToken, wrong)).status).toBe(403);
    const limited = await otpGrant(mfaToken, good);
    expect(limited.status).toBe(429);
    expect(limited.body.error).toBe("too_many_attempts");
    expect(limited.logs.map((l) => l.type).sort()).toEqual(["feotpft", "gd_otp_rate_limit_exceed"]);
    deps.clock.advance(6 * 60 * 1000);
    const fresh = await mfaTokenFor(user);
    expect(keep(await otpGrant(fresh, await totp(secret))).status).toBe(200);
  });

  it("the recovery code grant returns a new code and retires the used one", async () => {
    const user = await createFixtureUser(deps, fx, { connection: "database", password: "pw-recovery-1" });
    const { secret, recovery, mfaToken } = await enroll(user);
    expect(keep(await otpGrant(mfaToken, await totp(secret))).status).toBe(200);
    const t1 = await mfaTokenFor(user);
    const ok = keep(await recoveryGrant(t1, recovery.toLowerCase()));
    expect(ok.status).toBe(200);
    expect(str(ok.body.recovery_code)).toMatch(/^[A-Z0-9]{24}$/);
    expect(ok.body.recovery_code).not.toBe(recovery);
    expect(ok.logs.map((l) => l.type).sort()).toEqual(["gd_recovery_succeed", "sercft"]);
    await updateTenant(deps.db, { mfaRecoveryCodeEnabled: false }, deps.clock.now());
    deps.config.clear();
    const disabled = await recoveryGrant(await mfaTokenFor(user), str(ok.body.recovery_code));
    expect(disabled.body).toEqual({
      error: "invalid_grant",
      error_description: "Recovery codes are disabled for this tenant.",
    });
    await updateTenant(deps.db, { mfaRecoveryCodeEnabled: true }, deps.clock.now());
    deps.config.clear();
    const old = await recoveryGrant(await mfaTokenFor(user), recovery);
    expect(old.body).toEqual({ error: "invalid_grant", error_description: "MFA Authorization rejected." });
    expect(old.logs.map((l) => l.type).sort()).toEqual(["fercft", "gd_recovery_failed"]);
    expect(keep(await recoveryGrant(await mfaTokenFor(user), str(ok.body.recovery_code))).status).toBe(200);
  });

  it("an expired mfa_token, a forged one, and one from another client are refused", async () => {
    const user = await createFixtureUser(deps, fx, { connection: "database", password: "pw-expiry-1" });
    const { secret } = await enroll(user);
    const t = await mfaTokenFor(user);
    const other = fx.clients.nonRotating;
    await updateClient(
      deps.db,
      other.clientId,
      { grantTypes: ["password", ...MFA_GRANT_TYPES] },
      deps.clock.now(),
    );
    deps.config.clear();
    const cross = await otpGrant(t, await totp(secret), other);
    expect(cross.body).toEqual({ error: "invalid_grant", error_description: "Malformed mfa_token" });
    const forged = await otpGrant("v1.AAAA.BBBB.CCCC", await totp(secret));
    expect(forged.body).toEqual({ error: "invalid_grant", error_description: "Malformed mfa_token" });
    deps.clock.advance(10 * 60 * 1000 + 1);
    const expired = await otpGrant(t, await totp(secret));
    expect(expired.status).toBe(403);
    expect(expired.body).toEqual({ error: "expired_token", error_description: "mfa_token is expired" });
  });

  it("policy never: no MFA; DELETE needs an MFA API token, after which the next login asks for enrolment", async () => {
    const user = await createFixtureUser(deps, fx, { connection: "database", password: "pw-delete-1" });
    const { secret, mfaToken } = await enroll(user);
    expect(keep(await otpGrant(mfaToken, await totp(secret))).status).toBe(200);
    const list = await api(handleListAuthenticators, {
      method: "GET",
      path: "/mfa/authenticators",
      bearer: mfaToken,
    });
    const otpId = (list.body as { id: string }[])[0]!.id;
    const refused = await api((r, d) => handleDeleteAuthenticator(r, d, otpId), {
      method: "DELETE",
      path: `/mfa/authenticators/${otpId}`,
      bearer: mfaToken,
    });
    expect(refused.status).toBe(403);
    deps.clock.advance(30_000);
    const t2 = await mfaTokenFor(user, { audience: mfaApiAudience(deps), scope: "remove:authenticators" });
    const mfaApi = keep(await otpGrant(t2, await totp(secret)));
    const del = await api((r, d) => handleDeleteAuthenticator(r, d, otpId), {
      method: "DELETE",
      path: `/mfa/authenticators/${otpId}`,
      bearer: str(mfaApi.body.access_token),
    });
    expect(del.status).toBe(204);
    const t3 = await mfaTokenFor(user);
    const empty = await api(handleListAuthenticators, {
      method: "GET",
      path: "/mfa/authenticators",
      bearer: t3,
    });
    expect(empty.body).toEqual([]);

    await updateTenant(deps.db, { mfaPolicy: "never" }, deps.clock.now());
    deps.config.clear();
    const plain = keep(await login(user));
    expect(plain.status).toBe(200);
    expect(plain.logs.map((l) => l.type)).toEqual(["sepft"]);
    await updateTenant(deps.db, { mfaPolicy: "always" }, deps.clock.now());
    deps.config.clear();
  });

  it("a user imported with mfa_factors totp is enrolled: the next login needs that app's code, not enrolment", async () => {
    const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    const password = "imported-with-totp-1";
    const result = await importUsers(
      deps,
      fx.connections.database.name,
      JSON.stringify([
        {
          email: "totp-import@example.com",
          password_hash: await bcryptHash(password, 10),
          mfa_factors: [{ totp: { secret: secret.toLowerCase() } }],
        },
      ]),
    );
    expect(result).toEqual({ imported: 1, errors: [] });
    const user = { email: "totp-import@example.com", password } as TFixtureUser;
    const mfaToken = await mfaTokenFor(user);
    const assoc = await api(handleAssociate, {
      method: "POST",
      path: "/mfa/associate",
      bearer: mfaToken,
      body: { authenticator_types: ["otp"] },
    });
    expect(assoc.status).toBe(403);
    deps.clock.advance(30_000);
    expect(keep(await otpGrant(mfaToken, await totp(secret))).status).toBe(200);
    const stored = JSON.stringify(await deps.db.all(`SELECT * FROM "MfaAuthenticator"`));
    expect(stored).not.toContain(secret);
  });

  it("no secret, code, or token reaches the audit log", async () => {
    const rows = await serializedAuditRows(deps);
    for (const s of [...fx.secrets, ...issued]) expect(rows).not.toContain(s);
  });
});
