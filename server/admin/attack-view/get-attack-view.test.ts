import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generate } from "otplib";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../../testing/test-deps.ts";
import { createFixtureUser, seedFixture, type TFixture, type TFixtureUser } from "../../testing/fixtures.ts";
import { callToken, passwordParams } from "../../testing/token-calls.ts";
import { updateClient } from "../../store/clients.ts";
import { updateTenant } from "../../store/tenant.ts";
import { upsertResourceServer } from "../../store/resource-servers.ts";
import { MFA_GRANT_TYPES, MFA_OTP, MFA_RECOVERY_CODE } from "../../mfa/require-mfa.ts";
import { handleAssociate, mfaApiAudience } from "../../mfa/mfa-api.ts";
import { adminOf } from "../../testing/admin-actors.ts";
import { setDeps } from "../../config/deps.ts";
import { insertLog } from "../../store/logs.ts";
import { updateAttackProtection } from "../protection/update-attack-protection.ts";
import { unblockUser } from "../protection/unblock-user.ts";
import { AdminError } from "../admin-error.ts";
import { getAttackView, type TAttackView } from "./get-attack-view.ts";
import * as route from "../../../app/api/admin/attack-view/route.ts";

const TOKEN = "attack-view-admin-token-0123456789abcdef";
const NOW = new Date("2026-06-02T12:30:20Z");
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const NETWORK = "2001:db8:7:1";
const MFA_IP = "192.0.2.77";

describe.each(testDatabaseKinds())("attack view (%s)", (kind) => {
  let deps: TTestDeps;
  let fx: TFixture;
  let victim: TFixtureUser;
  let leaky: TFixtureUser;
  /** Someone holds their password and guesses second-factor codes: today and three days ago. */
  let mfaTarget: TFixtureUser;
  /** One wrong recovery code four days ago only. */
  let mfaOld: TFixtureUser;
  const viewer = adminOf("viewer");

  const ago = (ms: number) => new Date(NOW.getTime() - ms);
  const wrong = (username: string, ip: string) =>
    callToken(deps, {
      params: passwordParams(fx.clients.web, { email: username, password: "wrong-password" }),
      socketIp: ip,
    });

  beforeAll(async () => {
    deps = await createTestDeps(kind, { PORTCULLIS_ADMIN_API_TOKEN: TOKEN });
    fx = await seedFixture(deps);
    setDeps(deps);
    deps.clock.set(NOW);
    const owner = adminOf("owner");
    await updateAttackProtection(deps, owner, "brute-force-protection", { max_attempts: 3 });
    await updateAttackProtection(deps, owner, "suspicious-ip-throttling", {
      stage: { "pre-login": { max_attempts: 4, rate: HOUR } },
    });
    await updateAttackProtection(deps, owner, "breached-password-detection", {
      enabled: true,
      shields: ["block"],
    });
    victim = await createFixtureUser(deps, fx, { connection: "database", password: "right-password-1" });
    leaky = await createFixtureUser(deps, fx, { connection: "database", password: "AUTH0-TEST-leaky-pass" });

    // Real attempts over the token endpoint, all in the minute of NOW. Three wrong passwords for the victim from
    // one IPv4 address block it (the third also records the block), and the next try (the right password) is
    // refused by the block.
    const fails = [];
    for (let i = 0; i < 3; i++)
      fails.push((await wrong(victim.email, "203.0.113.7")).logs.map((l) => l.type).sort());
    expect(fails).toEqual([["fp"], ["fp"], ["fp", "limit_wc"]]);
    const refused = await callToken(deps, {
      params: passwordParams(fx.clients.web, victim),
      socketIp: "203.0.113.7",
    });
    expect(refused.logs.map((l) => l.type)).toEqual(["limit_wc"]);
    // One host rotating through its /64, a new made-up name and address each time: four failures fill its bucket,
    // the fifth is throttled.
    for (let i = 1; i <= 4; i++)
      expect((await wrong(`ghost${i}@example.com`, `${NETWORK}::${i}`)).logs.map((l) => l.type)).toEqual([
        "fu",
      ]);
    const throttled = await wrong("ghost5@example.com", `${NETWORK}:0:0:0:5`);
    expect(throttled.logs.map((l) => l.type)).toEqual(["limit_mu"]);
    // The right password of a breached account.
    expect(
      (
        await callToken(deps, { params: passwordParams(fx.clients.web, leaky), socketIp: "198.51.100.20" })
      ).logs.map((l) => l.type),
    ).toEqual(["pwd_leak"]);

    // Inserted records for volume and for the longer ranges.
    for (let i = 0; i < 40; i++)
      await insertLog(
        deps.db,
        { type: i % 2 ? "fp" : "fepft", user_name: "sprayed@example.com", ip: `198.51.100.${i % 4}` },
        ago(10 * MINUTE + i * 1000),
      );
    await insertLog(deps.db, { type: "sepft", user_name: victim.email, ip: "10.0.0.1" }, ago(5 * MINUTE));
    for (let i = 0; i < 6; i++)
      await insertLog(
        deps.db,
        { type: "fu", user_name: "yesterday@example.com", ip: "192.0.2.9" },
        ago(2 * HOUR),
      );
    await insertLog(
      deps.db,
      { type: "limit_wc", user_name: "yesterday@example.com", ip: "192.0.2.9" },
      ago(2 * HOUR),
    );
    // Closed days of the 14-day view: one name on two days (the days add up), one only then.
    for (const days of [3, 5])
      for (let i = 0; i < 50; i++)
        await insertLog(
          deps.db,
          { type: "fp", user_name: "sprayed@example.com", ip: "192.0.2.50" },
          ago(days * DAY),
        );
    for (let i = 0; i < 30; i++)
      await insertLog(
        deps.db,
        { type: "f", user_name: "old-target@example.com", ip: `${NETWORK}::${100 + i}` },
        ago(4 * DAY),
      );
    await insertLog(
      deps.db,
      { type: "signup_pwd_leak", user_name: "new@example.com", ip: "192.0.2.60" },
      ago(6 * DAY),
    );
    // Outside every range.
    await insertLog(
      deps.db,
      { type: "fp", user_name: "ancient@example.com", ip: "192.0.2.99" },
      ago(20 * DAY),
    );

    // Failed second factors through the MFA grants: the right password answers mfa_required, then wrong codes.
    const web = fx.clients.web;
    await updateClient(
      deps.db,
      web.clientId,
      { grantTypes: ["password", "refresh_token", ...MFA_GRANT_TYPES] },
      NOW,
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
      NOW,
    );
    await updateTenant(deps.db, { mfaPolicy: "always" }, NOW);
    deps.config.clear();
    mfaTarget = await createFixtureUser(deps, fx, { connection: "database", password: "mfa-target-pass-1" });
    mfaOld = await createFixtureUser(deps, fx, { connection: "database", password: "mfa-old-pass-1" });
    /** A fresh mfa_token for `user` and their (pending) OTP secret. */
    const secondFactor = async (user: TFixtureUser) => {
      const login = await callToken(deps, { params: passwordParams(web, user), socketIp: MFA_IP });
      expect(login.body.error).toBe("mfa_required");
      const mfaToken = String(login.body.mfa_token);
      const associated = await handleAssociate(
        new Request("https://portcullis.test/mfa/associate", {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${mfaToken}` },
          body: JSON.stringify({ authenticator_types: ["otp"] }),
        }),
        deps,
      );
      expect(associated.status).toBe(200);
      const { secret } = (await associated.json()) as { secret: string };
      return { mfaToken, secret };
    };
    const grant = (mfaToken: string, extra: Record<string, string>) =>
      callToken(deps, {
        params: { client_id: web.clientId, client_secret: web.secret, mfa_token: mfaToken, ...extra },
        socketIp: MFA_IP,
      });
    const wrongOtp = async (f: { mfaToken: string; secret: string }) => {
      const good = await generate({
        secret: f.secret,
        epoch: Math.floor(deps.clock.now().getTime() / 1000),
      });
      const r = await grant(f.mfaToken, {
        grant_type: MFA_OTP,
        otp: good === "123456" ? "654321" : "123456",
      });
      return [r.status, r.logs.map((l) => l.type).sort()];
    };
    const wrongRecovery = async (f: { mfaToken: string }) => {
      const r = await grant(f.mfaToken, {
        grant_type: MFA_RECOVERY_CODE,
        recovery_code: "WRONGRECOVERYCODE1234567",
      });
      return [r.status, r.logs.map((l) => l.type).sort()];
    };
    const WRONG = [403, ["feotpft", "gd_auth_failed"]];
    try {
      // Closed days: two wrong codes and a wrong recovery code three days ago, another user's four days ago.
      // The same email named another account five days ago (one since deleted): the list links the latest.
      await insertLog(
        deps.db,
        { type: "gd_recovery_failed", user_name: mfaOld.email, user_id: "auth0|deleted-account", ip: MFA_IP },
        ago(5 * DAY),
      );
      deps.clock.set(ago(4 * DAY));
      expect(await wrongRecovery(await secondFactor(mfaOld))).toEqual([
        403,
        ["fercft", "gd_recovery_failed"],
      ]);
      deps.clock.set(ago(3 * DAY));
      const before = await secondFactor(mfaTarget);
      expect([await wrongOtp(before), await wrongOtp(before)]).toEqual([WRONG, WRONG]);
      expect(await wrongRecovery(before)).toEqual([403, ["fercft", "gd_recovery_failed"]]);
      // Now: ten wrong codes empty the user's bucket and the eleventh is refused unchecked.
      deps.clock.set(NOW);
      const now = await secondFactor(mfaTarget);
      for (let i = 0; i < 10; i++) expect(await wrongOtp(now)).toEqual(WRONG);
      expect(await wrongOtp(now)).toEqual([429, ["feotpft", "gd_otp_rate_limit_exceed"]]);
    } finally {
      deps.clock.set(NOW);
      await updateTenant(deps.db, { mfaPolicy: "never" }, NOW);
      deps.config.clear();
    }
  });
  afterAll(async () => {
    await deps?.cleanup();
  });

  const source = (v: TAttackView, s: string) => v.top_sources.find((x) => x.source === s);
  const identifier = (v: TAttackView, s: string) => v.top_identifiers.find((x) => x.identifier === s);

  it("the last hour: failures, blocks and throttles per minute, totals and breached hits from real logins", async () => {
    const v = await getAttackView(deps, viewer, "hour");
    expect(v.buckets).toHaveLength(60);
    expect(v.bucket_ms).toBe(MINUTE);
    expect(v.buckets.at(-1)).toEqual({
      start: "2026-06-02T12:30:00.000Z",
      failed: 7,
      blocked: 2,
      throttled: 1,
      mfa: 11,
    });
    // One a second from 12:20:20 back to 12:19:41: 21 in the 12:20 bucket, 19 in the 12:19 one.
    expect(v.buckets.find((b) => b.start === "2026-06-02T12:20:00.000Z")?.failed).toBe(21);
    expect(v.buckets.find((b) => b.start === "2026-06-02T12:19:00.000Z")?.failed).toBe(19);
    expect(v.totals).toEqual({ failed: 47, blocked: 2, throttled: 1, mfa: 11, breached: 1 });
    // The MFA grant's own failure records (feotpft) are not counted again as failed logins.
    expect(v.buckets.filter((b) => b.mfa > 0)).toHaveLength(1);
    expect(v.top_mfa_users).toEqual([
      {
        user_name: mfaTarget.email,
        user_id: mfaTarget.userId,
        failures: 11,
        last_failure: NOW.toISOString(),
      },
    ]);
    expect(v.breached.count).toBe(1);
    expect(v.breached.latest).toMatchObject({
      type: "pwd_leak",
      user_name: leaky.email,
      ip: "198.51.100.20",
    });
    expect(v.from).toBe("2026-06-02T11:31:00.000Z");
  });

  it("ranks identifiers and sources, with IPv6 grouped by /64 and what stands against them now", async () => {
    const v = await getAttackView(deps, viewer, "hour");
    expect(v.top_identifiers.map((i) => [i.identifier, i.failures])).toEqual([
      ["sprayed@example.com", 40],
      [victim.email, 3],
      ["ghost1@example.com", 1],
      ["ghost2@example.com", 1],
      ["ghost3@example.com", 1],
      ["ghost4@example.com", 1],
    ]);
    const blocked = identifier(v, victim.email)!;
    expect(blocked).toMatchObject({ blocked: true, last_failure: NOW.toISOString() });
    expect(blocked.blocks).toEqual([
      {
        identifier: victim.email,
        ip: "203.0.113.7",
        connection: "Username-Password-Authentication",
        count: 3,
        since: NOW.toISOString(),
        until: new Date(NOW.getTime() + 30 * DAY).toISOString(),
      },
    ]);
    expect(blocked.blocked_until).toBe(blocked.blocks[0]!.until);
    expect(identifier(v, "sprayed@example.com")).toMatchObject({
      blocked: false,
      blocks: [],
      blocked_until: null,
    });

    expect(v.top_sources.map((s) => [s.source, s.failures])).toEqual([
      ["198.51.100.0", 10],
      ["198.51.100.1", 10],
      ["198.51.100.2", 10],
      ["198.51.100.3", 10],
      [`${NETWORK}::/64`, 4],
      ["203.0.113.7", 3],
    ]);
    expect(source(v, `${NETWORK}::/64`)).toMatchObject({
      kind: "ipv6_network",
      addresses: 4,
      is_addresses_exact: true,
      throttled: true,
      // Four attempts an hour apart fill the bucket: the next fits an hour after the last.
      throttled_until: new Date(NOW.getTime() + HOUR).toISOString(),
      blocks: [],
    });
    expect(source(v, "203.0.113.7")).toMatchObject({ kind: "ipv4", throttled: false, throttled_until: null });
    expect(source(v, "203.0.113.7")!.blocks.map((b) => b.identifier)).toEqual([victim.email]);
  });

  it("the last day by hour and 14 days by day; older records are left out", async () => {
    const day = await getAttackView(deps, viewer, "day");
    expect(day.buckets).toHaveLength(24);
    expect(day.buckets.find((b) => b.start === "2026-06-02T10:00:00.000Z")).toMatchObject({
      failed: 6,
      blocked: 1,
    });
    expect(day.totals).toEqual({ failed: 53, blocked: 3, throttled: 1, mfa: 11, breached: 1 });

    const fortnight = await getAttackView(deps, viewer, "14d");
    expect(fortnight.buckets).toHaveLength(14);
    expect(fortnight.buckets[0]!.start).toBe("2026-05-20T00:00:00.000Z");
    expect(fortnight.buckets.find((b) => b.start === "2026-05-30T00:00:00.000Z")?.failed).toBe(50);
    expect(fortnight.buckets.find((b) => b.start === "2026-05-29T00:00:00.000Z")?.failed).toBe(30);
    expect(fortnight.totals).toEqual({ failed: 53 + 130, blocked: 3, throttled: 1, mfa: 16, breached: 2 });
    expect(fortnight.buckets.find((b) => b.start === "2026-05-30T00:00:00.000Z")?.mfa).toBe(3);
    expect(fortnight.buckets.find((b) => b.start === "2026-05-29T00:00:00.000Z")?.mfa).toBe(1);
    expect(fortnight.buckets.find((b) => b.start === "2026-05-28T00:00:00.000Z")?.mfa).toBe(1);
    expect(fortnight.buckets.at(-1)?.mfa).toBe(11);
    // The target's closed days and today add up; the other user is listed from the closed days alone.
    expect(fortnight.top_mfa_users).toEqual([
      {
        user_name: mfaTarget.email,
        user_id: mfaTarget.userId,
        failures: 14,
        last_failure: NOW.toISOString(),
      },
      {
        user_name: mfaOld.email,
        user_id: mfaOld.userId,
        failures: 2,
        last_failure: expect.stringMatching(/^2026-05-29T12:30:20/),
      },
    ]);
    // Closed days (from the per-process cache) and today add up.
    expect(identifier(fortnight, "sprayed@example.com")?.failures).toBe(140);
    expect(identifier(fortnight, "old-target@example.com")?.failures).toBe(30);
    expect(fortnight.top_identifiers.map((i) => i.identifier)).not.toContain("ancient@example.com");
    expect(source(fortnight, `${NETWORK}::/64`)).toMatchObject({ failures: 34, addresses: 34 });
    expect(source(fortnight, "192.0.2.50")?.failures).toBe(100);
    expect(fortnight.breached.latest).toMatchObject({ type: "pwd_leak" });
    // A second read answers the same, closed days from the per-process cache: a record slipped into a closed day
    // afterwards (never happens: records are written at "now") is not read again.
    await insertLog(
      deps.db,
      { type: "gd_auth_failed", user_name: mfaTarget.email, ip: MFA_IP },
      ago(3 * DAY),
    );
    expect(await getAttackView(deps, viewer, "14d")).toEqual(fortnight);
  });

  it("states change with the clock and with an admin unblock", async () => {
    try {
      deps.clock.set(new Date(NOW.getTime() + 2 * HOUR));
      const later = await getAttackView(deps, viewer, "day");
      expect(source(later, `${NETWORK}::/64`)).toMatchObject({ throttled: false, throttled_until: null });
      expect(identifier(later, victim.email)?.blocked).toBe(true);
      await unblockUser(deps, adminOf("security"), { identifier: victim.email });
      const lifted = await getAttackView(deps, viewer, "day");
      expect(identifier(lifted, victim.email)).toMatchObject({ blocked: false, blocks: [] });
      expect(source(lifted, "203.0.113.7")?.blocks).toEqual([]);
    } finally {
      deps.clock.set(NOW);
    }
  });

  it("refuses roles without logs:read", async () => {
    await expect(getAttackView(deps, adminOf("rules-editor"), "hour")).rejects.toMatchObject({
      status: 403,
    } satisfies Partial<AdminError>);
  });

  it("GET /api/admin/attack-view answers the view, 400 for a bad range, 401 without a session", async () => {
    const get = (query: string, token: string | null = TOKEN) =>
      route.GET(
        new Request(`https://portcullis.test/api/admin/attack-view${query}`, {
          headers: token ? { authorization: `Bearer ${token}` } : {},
        }),
      );
    const ok = await get("?range=day");
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as TAttackView;
    expect(body).toMatchObject({ range: "day", bucket_ms: HOUR });
    expect(body.buckets).toHaveLength(24);
    expect(((await (await get("")).json()) as TAttackView).range).toBe("hour");
    for (const bad of ["?range=week", "?range=HOUR", "?range=14d%00"]) {
      const r = await get(bad);
      expect(r.status).toBe(400);
      expect(await r.json()).toEqual({
        error: "invalid_request",
        error_description: "Query parameter range must be hour, day or 14d.",
      });
    }
    expect((await get("?range=day", null)).status).toBe(401);
  });
});
