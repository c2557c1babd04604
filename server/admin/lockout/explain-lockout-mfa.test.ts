import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generate } from "otplib";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../../testing/test-deps.ts";
import { createFixtureUser, seedFixture, type TFixture, type TFixtureUser } from "../../testing/fixtures.ts";
import { callToken, passwordParams, type TTokenResult } from "../../testing/token-calls.ts";
import { adminOf } from "../../testing/admin-actors.ts";
import { setDeps } from "../../config/deps.ts";
import { updateTenant } from "../../store/tenant.ts";
import { updateClient } from "../../store/clients.ts";
import { upsertResourceServer } from "../../store/resource-servers.ts";
import { MFA_GRANT_TYPES, MFA_OTP } from "../../mfa/require-mfa.ts";
import { handleAssociate, mfaApiAudience } from "../../mfa/mfa-api.ts";
import { MFA_BUCKET_REFILL_MS } from "../../mfa/complete-mfa-login.ts";
import { explainLockout } from "./explain-lockout.ts";
import { describeCause } from "./describe-lockout.ts";
import * as mfaRoute from "../../../app/api/admin/users/[userId]/mfa/route.ts";

// The MFA wrong-code bucket, drained by real wrong codes over the token endpoint (its own database: MFA is
// required tenant-wide here).

const ADMIN_TOKEN = "test-admin-token-lockout-mfa-0123456789abcdef";
const security = adminOf("security");

describe.each(testDatabaseKinds())("lockout explainer: the MFA wrong-code bucket (%s)", (kind) => {
  let deps: TTestDeps;
  let fx: TFixture;

  beforeAll(async () => {
    deps = await createTestDeps(kind, { PORTCULLIS_ADMIN_API_TOKEN: ADMIN_TOKEN });
    fx = await seedFixture(deps);
    setDeps(deps);
    const now = deps.clock.now();
    await updateClient(
      deps.db,
      fx.clients.web.clientId,
      { grantTypes: ["password", "refresh_token", ...MFA_GRANT_TYPES] },
      now,
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
      now,
    );
    await updateTenant(deps.db, { mfaPolicy: "always" }, now);
    deps.config.clear();
  });
  afterAll(async () => {
    await deps?.cleanup();
  });

  async function mfaToken(user: TFixtureUser): Promise<string> {
    const res = await callToken(deps, { params: passwordParams(fx.clients.web, user) });
    expect(res.status).toBe(403);
    return String(res.body.mfa_token);
  }

  async function enroll(user: TFixtureUser): Promise<string> {
    const res = await handleAssociate(
      new Request("https://portcullis.test/mfa/associate", {
        method: "POST",
        headers: { authorization: `Bearer ${await mfaToken(user)}`, "content-type": "application/json" },
        body: JSON.stringify({ authenticator_types: ["otp"] }),
      }),
      deps,
    );
    expect(res.status).toBe(200);
    const { secret } = (await res.json()) as { secret: string };
    // Confirm the authenticator with a right code.
    expect((await otp(await mfaToken(user), await code(secret))).status).toBe(200);
    return secret;
  }

  const code = (secret: string) => generate({ secret, epoch: Math.floor(deps.clock.now().getTime() / 1000) });

  function otp(token: string, value: string): Promise<TTokenResult> {
    return callToken(deps, {
      params: {
        grant_type: MFA_OTP,
        client_id: fx.clients.web.clientId,
        client_secret: fx.clients.web.secret,
        mfa_token: token,
        otp: value,
      },
    });
  }

  it("wrong codes: at risk, then blocked at 10 with their records; time drains it; an admin MFA reset clears it", async () => {
    const user = await createFixtureUser(deps, fx, { connection: "database", password: "pw-lockout-mfa-1" });
    const secret = await enroll(user);
    expect(await explainLockout(deps, security, user.userId)).toEqual({ state: "clear", causes: [] });
    deps.clock.advance(30_000);
    const token = await mfaToken(user);
    const good = await code(secret);
    const bad = good === "000000" ? "111111" : "000000";
    const first = await otp(token, bad);
    expect(first.status).toBe(403);
    const atRisk = await explainLockout(deps, security, user.userId);
    expect(atRisk.state).toBe("at-risk");
    expect(atRisk.causes).toEqual([
      expect.objectContaining({ kind: "mfa-throttle", state: "at-risk", count: 1, threshold: 10 }),
    ]);

    const failures = [first];
    for (let i = 0; i < 9; i++) {
      deps.clock.advance(1);
      failures.push(await otp(token, bad));
    }
    deps.clock.advance(1);
    const refused = await otp(token, good);
    expect(refused).toMatchObject({ status: 429, body: { error: "too_many_attempts" } });
    const blocked = await explainLockout(deps, security, user.userId);
    expect(blocked.state).toBe("blocked");
    const cause = blocked.causes[0]!;
    const refusal = refused.logs.find((l) => l.type === "gd_otp_rate_limit_exceed")!;
    expect(cause).toMatchObject({ kind: "mfa-throttle", state: "blocked", count: 10, since: refusal.date });
    expect(cause.records).toEqual([
      ...failures.flatMap((r) => r.logs.filter((l) => l.type === "gd_auth_failed").map((l) => l.log_id)),
      refusal.log_id,
    ]);
    expect(cause.lifts.map((l) => l.kind)).toEqual(["mfa-reset", "time"]);
    expect(describeCause(cause, deps.clock.now())).toMatch(
      /^MFA codes refused after 10 wrong codes \(limit 10\); lifts when an admin resets MFA or by itself at /,
    );

    // One code comes back every 6 minutes: at `until` codes are taken again, and the cause is at risk.
    deps.clock.set(new Date(cause.until!));
    const later = await explainLockout(deps, security, user.userId);
    expect(later.causes[0]).toMatchObject({ kind: "mfa-throttle", state: "at-risk", count: 9 });
    expect(new Date(later.causes[0]!.until!).getTime()).toBe(
      new Date(cause.until!).getTime() + 9 * MFA_BUCKET_REFILL_MS,
    );

    // The admin MFA reset, over HTTP, empties the bucket with the authenticators.
    const res = await mfaRoute.DELETE(
      new Request(`https://portcullis.test/api/admin/users/${encodeURIComponent(user.userId)}/mfa`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      }),
      { params: Promise.resolve({ userId: user.userId }) },
    );
    expect(res.status).toBe(200);
    expect(await explainLockout(deps, security, user.userId)).toEqual({ state: "clear", causes: [] });
  });
});
