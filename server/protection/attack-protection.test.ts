import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { createLogger } from "../platform/logger.ts";
import { createFixtureUser, seedFixture, type TFixture, type TFixtureUser } from "../testing/fixtures.ts";
import { buildTokenRequest, callToken, passwordParams, type TTokenResult } from "../testing/token-calls.ts";
import { handleTokenRequest } from "../oauth/token-endpoint.ts";
import { setDeps } from "../config/deps.ts";
import { createConfigCache } from "../oauth/core/config-cache.ts";
import { listLogs } from "../store/logs.ts";
import { updateAttackProtection } from "../admin/protection/update-attack-protection.ts";
import { getAttackProtection } from "../admin/protection/get-attack-protection.ts";
import { listBlocks } from "../admin/protection/list-blocks.ts";
import { setUserPassword } from "../admin/set-user-password.ts";
import { listNotifications } from "../admin/protection/list-notifications.ts";
import { getProtectionView } from "../admin/protection/get-protection-view.ts";
import { AdminError } from "../admin/admin-error.ts";
import { inspectUnblockLink, redeemUnblockLink } from "./redeem-unblock-link.ts";
import * as policyRoute from "../../app/api/admin/attack-protection/[policy]/route.ts";
import * as userBlocksRoute from "../../app/api/admin/user-blocks/route.ts";
import * as userBlocksByIdRoute from "../../app/api/admin/user-blocks/[userId]/route.ts";
import * as ipBlockRoute from "../../app/api/admin/anomaly/blocks/ips/[ip]/route.ts";
import * as usersRoute from "../../app/api/admin/users/[userId]/route.ts";
import * as notificationsRoute from "../../app/api/admin/notifications/route.ts";
import * as unblockRoute from "../../app/api/unblock/route.ts";

const ADMIN_TOKEN = "test-admin-token-0123456789abcdef-0123456789";
const OWNER = { id: "adm_owner", email: "owner@example.com", role: "owner" as const };
const BRUTE_FORCE_TEXT =
  "Your account has been blocked after multiple consecutive login attempts. We've sent you an email with instructions on how to unblock it.";
const SUSPICIOUS_IP_TEXT =
  "We have detected suspicious login behavior and further attempts will be blocked. Please contact the administrator.";
const LEAKED_TEXT =
  "This login attempt has been blocked because the password you're using was previously disclosed through a data breach (not in this application). Please check your email for more information.";
const DAY_MS = 24 * 3600 * 1000;

let ipCounter = 0;
/** A fresh client IP per test, so counters never leak between tests. */
function freshIp(): string {
  ipCounter++;
  return `203.0.${Math.floor(ipCounter / 250)}.${(ipCounter % 250) + 1}`;
}

function admin(path: string, init: RequestInit & { token?: string | null } = {}): Request {
  const headers = new Headers(init.headers);
  if (init.token !== null) headers.set("authorization", `Bearer ${init.token ?? ADMIN_TOKEN}`);
  if (init.body) headers.set("content-type", "application/json");
  return new Request(`https://portcullis.test${path}`, { ...init, headers });
}

describe.each(testDatabaseKinds())("attack protection (%s)", (kind) => {
  let deps: TTestDeps;
  let fx: TFixture;

  beforeAll(async () => {
    deps = await createTestDeps(kind, {
      PORTCULLIS_ADMIN_API_TOKEN: ADMIN_TOKEN,
      PORTCULLIS_ADMIN_EMAIL: "sec@acme.test",
    });
    fx = await seedFixture(deps);
    setDeps(deps);
  });
  afterAll(async () => {
    await deps?.cleanup();
  });
  beforeEach(async () => {
    // Every test starts from Auth0's defaults.
    await deps.db.run(`DELETE FROM "AttackProtection"`);
    deps.config.clear();
  });

  async function newUser(password = "right-password-1"): Promise<TFixtureUser> {
    return createFixtureUser(deps, fx, { connection: "database", password });
  }

  function login(user: { email: string; password: string }, ip: string, headers?: Record<string, string>) {
    return callToken(deps, { params: passwordParams(fx.clients.web, user), socketIp: ip, headers });
  }

  function wrong(user: { email: string }, ip: string) {
    return login({ email: user.email, password: "wrong-password" }, ip);
  }

  async function failTimes(user: { email: string }, ip: string, n: number): Promise<TTokenResult[]> {
    const out: TTokenResult[] = [];
    for (let i = 0; i < n; i++) out.push(await wrong(user, ip));
    return out;
  }

  function expectBruteForceBlock(res: TTokenResult): void {
    expect({ status: res.status, body: res.body }).toEqual({
      status: 429,
      body: { error: "too_many_attempts", error_description: BRUTE_FORCE_TEXT },
    });
    expect(res.logs.map((l) => l.type)).toEqual(["limit_wc"]);
  }

  /** ublkdu records about one identifier (the manual clock stands still, so order by date is not enough). */
  async function releasesOf(identifier: string) {
    return (await listLogs(deps.db, { type: "ublkdu", take: 10_000 })).filter(
      (l) => l.details?.identifier === identifier,
    );
  }

  async function outboxFor(to: string) {
    return (await listNotifications(deps, OWNER, { take: 1000 })).notifications.filter((n) => n.to === to);
  }

  /**
   * Block `user` (2 failures from a fresh IP under max_attempts 2) and return the IP and the unblock link's token
   * from the message the user was sent: what the recipient's mailbox gets, which the outbox no longer shows.
   */
  async function blockAndReadLink(user: TFixtureUser): Promise<{ ip: string; token: string }> {
    await updateAttackProtection(deps, OWNER, "brute-force-protection", { max_attempts: 2 });
    const ip = freshIp();
    const notify = vi.spyOn(deps.notifier, "notify");
    try {
      await failTimes(user, ip, 2);
      const sent = notify.mock.calls.map(([m]) => m).filter((m) => m.to === user.email);
      expect(sent).toHaveLength(1);
      const link = /https:\/\/portcullis\.test\/unblock\/(\S+)/.exec(sent[0]!.text);
      expect(link).not.toBeNull();
      return { ip, token: link![1]! };
    } finally {
      notify.mockRestore();
    }
  }

  /** The unblock page's button: POST /api/unblock with the token. */
  async function pressUnblock(token: string): Promise<{ status: number; html: string }> {
    const res = await unblockRoute.POST(
      new Request("https://portcullis.test/api/unblock", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token }),
      }),
    );
    return { status: res.status, html: await res.text() };
  }

  describe("brute-force protection", () => {
    it("has Auth0's defaults", async () => {
      expect(await getAttackProtection(deps, OWNER, "brute-force-protection")).toEqual({
        enabled: true,
        shields: ["block", "user_notification"],
        mode: "count_per_identifier_and_ip",
        allowlist: [],
        max_attempts: 10,
        ipv6_prefix_length: 64,
      });
      expect(await getAttackProtection(deps, OWNER, "suspicious-ip-throttling")).toEqual({
        enabled: true,
        shields: ["block", "admin_notification"],
        allowlist: [],
        ipv6_prefix_length: 64,
        stage: {
          "pre-login": { max_attempts: 100, rate: 864000 },
          // 50 signups, then one more every 1.2 s: 50 a minute, as on Auth0.
          "pre-user-registration": { max_attempts: 50, rate: 1200 },
        },
      });
      expect(await getAttackProtection(deps, OWNER, "breached-password-detection")).toMatchObject({
        enabled: false,
        shields: [],
      });
    });

    it("blocks an identifier from one IP after 10 failures, before any hash, and not from other IPs", async () => {
      const user = await newUser();
      const attacker = freshIp();
      const results = await failTimes(user, attacker, 10);
      expect(results.map((r) => r.status)).toEqual(Array(10).fill(403));
      expect(results[9]!.logs.map((l) => l.type).sort()).toEqual(["fp", "limit_wc"]);
      expect(results[9]!.logs.find((l) => l.type === "limit_wc")).toMatchObject({
        user_id: user.userId,
        ip: attacker,
        details: { count: 10, max_attempts: 10, mode: "count_per_identifier_and_ip", monitoring: false },
      });

      const verify = vi.spyOn(deps.hasher, "verify");
      try {
        // Even the right password is refused now, without a password check.
        expectBruteForceBlock(await login(user, attacker));
        expect(verify).not.toHaveBeenCalled();
      } finally {
        verify.mockRestore();
      }
      // A stranger's failures do not lock the owner out: counting is per identifier and IP.
      expect((await login(user, freshIp())).status).toBe(200);
      // Case variants of the identifier share the counter.
      expectBruteForceBlock(await login({ ...user, email: user.email.toUpperCase() }, attacker));
    });

    it("a success resets the count", async () => {
      const user = await newUser();
      const ip = freshIp();
      await failTimes(user, ip, 9);
      expect((await login(user, ip)).status).toBe(200);
      const again = await failTimes(user, ip, 9);
      expect(again.every((r) => r.status === 403)).toBe(true);
      expect((await login(user, ip)).status).toBe(200);
    });

    it("counts identifiers that do not exist, without notifying anyone", async () => {
      const ip = freshIp();
      const ghost = { email: "nobody-here@example.com", password: "x" };
      const r = await failTimes(ghost, ip, 11);
      expect(r.slice(0, 10).map((x) => x.status)).toEqual(Array(10).fill(403));
      expectBruteForceBlock(r[10]!);
      expect(await outboxFor("nobody-here@example.com")).toEqual([]);
    });

    it("the threshold is configurable from 1 to 100", async () => {
      for (const bad of [0, 101, 2.5]) {
        await expect(
          updateAttackProtection(deps, OWNER, "brute-force-protection", { max_attempts: bad }),
        ).rejects.toThrow(AdminError);
      }
      await updateAttackProtection(deps, OWNER, "brute-force-protection", { max_attempts: 3 });
      const user = await newUser();
      const ip = freshIp();
      expect((await failTimes(user, ip, 3)).map((r) => r.status)).toEqual([403, 403, 403]);
      expectBruteForceBlock(await wrong(user, ip));
    });

    it("count_per_identifier (account lockout) blocks the identifier from every IP", async () => {
      await updateAttackProtection(deps, OWNER, "brute-force-protection", {
        mode: "count_per_identifier",
        max_attempts: 3,
      });
      const user = await newUser();
      await wrong(user, freshIp());
      await wrong(user, freshIp());
      await wrong(user, freshIp());
      expectBruteForceBlock(await login(user, freshIp()));
      const blocks = await listBlocks(deps, OWNER);
      expect(blocks.users.find((b) => b.identifier === user.email)).toMatchObject({
        ip: null,
        user_id: user.userId,
        count: 3,
      });
    });

    it("enabled with no shield only monitors: logged once, never blocked, nobody notified", async () => {
      await updateAttackProtection(deps, OWNER, "brute-force-protection", { shields: [], max_attempts: 2 });
      const user = await newUser();
      const ip = freshIp();
      const r = await failTimes(user, ip, 5);
      expect(r.map((x) => x.status)).toEqual([403, 403, 403, 403, 403]);
      expect(r.flatMap((x) => x.logs).filter((l) => l.type === "limit_wc")).toHaveLength(1);
      expect(r[1]!.logs.find((l) => l.type === "limit_wc")?.details).toMatchObject({ monitoring: true });
      expect((await login(user, ip)).status).toBe(200);
      expect(await outboxFor(user.email)).toEqual([]);
    });

    it("disabled: nothing is counted", async () => {
      await updateAttackProtection(deps, OWNER, "brute-force-protection", {
        enabled: false,
        max_attempts: 1,
      });
      const user = await newUser();
      const ip = freshIp();
      await failTimes(user, ip, 3);
      expect((await login(user, ip)).status).toBe(200);
    });

    it("allowlisted IPs (IPv4, IPv4 CIDR, IPv6, IPv6 CIDR) are never blocked", async () => {
      await expect(
        updateAttackProtection(deps, OWNER, "brute-force-protection", { allowlist: ["10.0.0.0/33"] }),
      ).rejects.toThrow(/allowlist/);
      await updateAttackProtection(deps, OWNER, "brute-force-protection", {
        max_attempts: 1,
        allowlist: ["198.18.0.7", "10.20.0.0/16", "2001:db8::7", "2001:db8:1::/48"],
      });
      const user = await newUser();
      for (const ip of ["198.18.0.7", "10.20.99.1", "2001:db8::7", "2001:db8:1:ffff::1"]) {
        await failTimes(user, ip, 3);
        expect((await login(user, ip)).status, ip).toBe(200);
      }
      for (const ip of ["198.18.0.8", "10.21.0.1", "2001:db8::8", "2001:db8:2::1"]) {
        await wrong(user, ip);
        expectBruteForceBlock(await login(user, ip));
      }
    });

    it("notifies the user once per hour per attack, with an unblock link that only a POST redeems", async () => {
      await updateAttackProtection(deps, OWNER, "brute-force-protection", { max_attempts: 2 });
      const user = await newUser();
      const ipB = freshIp();
      const { ip: ipA, token } = await blockAndReadLink(user);
      await failTimes(user, ipB, 2);
      const mails = await outboxFor(user.email);
      expect(mails).toHaveLength(1);
      const mail = mails[0]!;
      expect(mail).toMatchObject({ kind: "brute_force_block", transport: "outbox", status: "outbox" });
      expect(mail.text).toContain(ipA);
      expect(mail.text).toContain("https://portcullis.test/unblock/[redacted]");
      expect(mail.text).not.toContain(token);

      // Opening the link (what a mail scanner does) renders a page and unblocks nothing.
      expect(await inspectUnblockLink(deps, token)).toMatchObject({ isValid: true });
      const { default: Page } = await import("../../app/unblock/[token]/page.tsx");
      const { renderToStaticMarkup } = await import("react-dom/server");
      const render = async (t: string) =>
        renderToStaticMarkup(await Page({ params: Promise.resolve({ token: t }) }));
      const html = await render(token);
      expect(html).toContain('method="post"');
      expect(html).toContain('action="/api/unblock"');
      expectBruteForceBlock(await login(user, ipA));

      // The button's POST lifts the block from IP A (the one the mail was about), logged as ublkdu.
      const res = await pressUnblock(token);
      expect(res.status).toBe(200);
      expect(res.html).toContain("Your account is unblocked");
      expect((await login(user, ipA)).status).toBe(200);
      const ublk = await releasesOf(user.email);
      expect(ublk.map((l) => l.details)).toEqual([
        expect.objectContaining({ reason: "unblock_link", blocked_ip: ipA }),
      ]);
      expect(ublk[0]?.user_id).toBe(user.userId);
      // The link is used up: the page and the button say so.
      expect(await inspectUnblockLink(deps, token)).toEqual({ isValid: false });
      expect(await render(token)).toContain("already used");

      // A forged or tampered link is refused.
      expect(await redeemUnblockLink(deps, token.slice(0, -2) + "xx")).toBe("invalid");
      // After an hour, a new block notifies again, with a new link; links expire after 5 days.
      deps.clock.advance(3600 * 1000 + 1);
      const second = await blockAndReadLink(user);
      expect(second.token).not.toBe(token);
      expect(await outboxFor(user.email)).toHaveLength(2);
      deps.clock.advance(5 * DAY_MS);
      expect(await redeemUnblockLink(deps, second.token)).toBe("invalid");
    });

    it("an unblock link works once: redeemed twice, or twice at the same time, it lifts one block", async () => {
      const user = await newUser();
      const { ip, token } = await blockAndReadLink(user);
      const both = await Promise.all([pressUnblock(token), pressUnblock(token)]);
      expect(both.map((r) => r.status).sort()).toEqual([200, 400]);
      expect(both.find((r) => r.status === 200)?.html).toContain("Your account is unblocked");
      expect(both.find((r) => r.status === 400)?.html).toContain("already used");
      expect(await releasesOf(user.email)).toHaveLength(1);

      // Blocked again: the used link (in any spelling its base64 allows) does not lift the new block.
      deps.clock.advance(3600 * 1000 + 1);
      await failTimes(user, ip, 2);
      expectBruteForceBlock(await login(user, ip));
      const sig = token.split(".")[1]!;
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      const flipped = alphabet[alphabet.indexOf(sig.at(-1)!) ^ 1]!;
      for (const variant of [token, token.slice(0, -1) + flipped, `${token}=`, token.replace(".", ".!")]) {
        const again = await pressUnblock(variant);
        expect(again.status).toBe(400);
        expect(again.html).toContain("already used");
      }
      expectBruteForceBlock(await login(user, ip));
      expect(await releasesOf(user.email)).toHaveLength(1);
    });

    it("a block ends 30 days after the last failure (logged ublkdu)", async () => {
      await updateAttackProtection(deps, OWNER, "brute-force-protection", { max_attempts: 2 });
      const user = await newUser();
      const ip = freshIp();
      await failTimes(user, ip, 2);
      deps.clock.advance(30 * DAY_MS - 1000);
      expectBruteForceBlock(await login(user, ip));
      deps.clock.advance(1001);
      const res = await login(user, ip);
      expect(res.status).toBe(200);
      expect(res.logs.map((l) => l.type).sort()).toEqual(["sepft", "ublkdu"]);
    });

    it("raising the threshold above the count ends the block (logged ublkdu)", async () => {
      await updateAttackProtection(deps, OWNER, "brute-force-protection", { max_attempts: 3 });
      const user = await newUser();
      const ip = freshIp();
      await failTimes(user, ip, 3);
      expectBruteForceBlock(await login(user, ip));
      await updateAttackProtection(deps, OWNER, "brute-force-protection", { max_attempts: 5 });
      const ublk = await releasesOf(user.email);
      expect(ublk.map((l) => l.details)).toEqual([
        expect.objectContaining({ reason: "threshold_raised", count: 3, blocked_ip: ip }),
      ]);
      expect((await login(user, ip)).status).toBe(200);
    });

    it("a password change ends every block of the user", async () => {
      await updateAttackProtection(deps, OWNER, "brute-force-protection", { max_attempts: 2 });
      const user = await newUser();
      const [ipA, ipB] = [freshIp(), freshIp()];
      await failTimes(user, ipA, 2);
      await failTimes(user, ipB, 2);
      const res = await usersRoute.PATCH(
        admin(`/api/admin/users/${encodeURIComponent(user.userId)}`, {
          method: "PATCH",
          body: JSON.stringify({ password: "brand-new-password-9" }),
        }),
      );
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        user_id: user.userId,
        released_blocks: 2,
        revoked_refresh_tokens: 0,
      });
      expect((await login({ ...user, password: "brand-new-password-9" }, ipA)).status).toBe(200);
      expect((await login({ ...user, password: "brand-new-password-9" }, ipB)).status).toBe(200);
      expect((await login(user, freshIp())).status).toBe(403);
    });

    it("admin API: user-blocks by identifier and by user id, in Auth0's shapes", async () => {
      await updateAttackProtection(deps, OWNER, "brute-force-protection", { max_attempts: 2 });
      const user = await newUser();
      const [ipA, ipB] = [freshIp(), freshIp()];
      await failTimes(user, ipA, 2);
      await failTimes(user, ipB, 2);
      const byId = await userBlocksByIdRoute.GET(
        admin(`/api/admin/user-blocks/${encodeURIComponent(user.userId)}`),
      );
      expect(await byId.json()).toEqual({
        blocked_for: expect.arrayContaining([
          { identifier: user.email, ip: ipA, connection: fx.connections.database.name },
          { identifier: user.email, ip: ipB, connection: fx.connections.database.name },
        ]),
      });
      const del = await userBlocksRoute.DELETE(
        admin(`/api/admin/user-blocks?identifier=${encodeURIComponent(user.email)}`, { method: "DELETE" }),
      );
      expect(del.status).toBe(204);
      expect((await login(user, ipA)).status).toBe(200);
      expect((await login(user, ipB)).status).toBe(200);
      const ublk = await releasesOf(user.email);
      expect(ublk.map((l) => l.details?.reason)).toEqual(["admin", "admin"]);

      await failTimes(user, ipA, 2);
      const delById = await userBlocksByIdRoute.DELETE(
        admin(`/api/admin/user-blocks/${encodeURIComponent(user.userId)}`, { method: "DELETE" }),
      );
      expect(delById.status).toBe(204);
      expect((await login(user, ipA)).status).toBe(200);
      const missing = await userBlocksByIdRoute.GET(admin(`/api/admin/user-blocks/auth0%7Cnope`));
      expect(missing.status).toBe(404);
    });

    it("the admin API refuses requests without the right bearer token", async () => {
      for (const token of [null, "wrong-token-wrong-token-wrong-token-000"]) {
        const res = await policyRoute.GET(
          admin("/api/admin/attack-protection/brute-force-protection", { token }),
        );
        expect(res.status).toBe(401);
      }
      const ok = await policyRoute.PATCH(
        admin("/api/admin/attack-protection/brute-force-protection", {
          method: "PATCH",
          body: JSON.stringify({ max_attempts: 7 }),
        }),
      );
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ max_attempts: 7 });
      const bad = await policyRoute.PATCH(
        admin("/api/admin/attack-protection/brute-force-protection", {
          method: "PATCH",
          body: JSON.stringify({ mode: "per_planet" }),
        }),
      );
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ statusCode: 400, error: "Bad Request" });
    });
  });

  describe("suspicious-IP throttling", () => {
    it("refuses an IP that failed max_attempts times across accounts until the bucket refills; successes are free", async () => {
      await updateAttackProtection(deps, OWNER, "suspicious-ip-throttling", {
        stage: { "pre-login": { max_attempts: 3, rate: 60_000 } },
      });
      const ip = freshIp();
      const good = await newUser();
      const victims = [await newUser(), await newUser(), await newUser()];
      expect((await login(good, ip)).status).toBe(200);
      for (const v of victims) expect((await wrong(v, ip)).status).toBe(403);
      // Successful logins do not use the budget.
      const refused = await login(good, ip);
      expect({ status: refused.status, body: refused.body }).toEqual({
        status: 429,
        body: { error: "too_many_attempts", error_description: SUSPICIOUS_IP_TEXT },
      });
      expect(refused.logs.map((l) => l.type)).toEqual(["limit_mu"]);
      // Other IPs are not affected.
      expect((await login(good, freshIp())).status).toBe(200);
      // One attempt refills per `rate`.
      deps.clock.advance(60_000);
      expect((await login(good, ip)).status).toBe(200);
      expect((await wrong(good, ip)).status).toBe(403);
      expect((await login(good, ip)).status).toBe(429);
      // The admin was told once.
      const mails = (
        await listNotifications(deps, OWNER, { kind: "ip_throttle_block" })
      ).notifications.filter((n) => String(n.subject).includes(ip));
      expect(mails).toHaveLength(1);
      expect(mails[0]).toMatchObject({ to: "sec@acme.test", status: "outbox" });
    });

    it("admin API: check and remove an IP block (200/404, then logins pass)", async () => {
      await updateAttackProtection(deps, OWNER, "suspicious-ip-throttling", {
        stage: { "pre-login": { max_attempts: 2, rate: 3_600_000 } },
      });
      const ip = freshIp();
      const user = await newUser();
      await failTimes({ email: "a-" + user.email }, ip, 1);
      await failTimes({ email: "b-" + user.email }, ip, 1);
      expect((await login(user, ip)).status).toBe(429);
      const get = await ipBlockRoute.GET(admin(`/api/admin/anomaly/blocks/ips/${ip}`));
      expect(get.status).toBe(200);
      expect(await get.json()).toMatchObject({ ip });
      expect((await listBlocks(deps, OWNER)).ips.map((b) => b.ip)).toContain(ip);
      const del = await ipBlockRoute.DELETE(
        admin(`/api/admin/anomaly/blocks/ips/${ip}`, { method: "DELETE" }),
      );
      expect(del.status).toBe(204);
      expect((await ipBlockRoute.GET(admin(`/api/admin/anomaly/blocks/ips/${ip}`))).status).toBe(404);
      expect((await login(user, ip)).status).toBe(200);
      expect((await ipBlockRoute.GET(admin(`/api/admin/anomaly/blocks/ips/not-an-ip`))).status).toBe(400);
      // A zone id, typed as is or percent-encoded, gets a 400 that says why.
      for (const path of ["fe80::1%eth0", "fe80::1%25eth0"]) {
        const zoned = await ipBlockRoute.DELETE(
          admin(`/api/admin/anomaly/blocks/ips/${path}`, { method: "DELETE" }),
        );
        expect(zoned.status, path).toBe(400);
        expect(((await zoned.json()) as { message: string }).message, path).toMatch(/zone id/);
      }
    });

    it("IP unblock also lifts brute-force blocks of that IP, including for made-up identifiers", async () => {
      await updateAttackProtection(deps, OWNER, "brute-force-protection", { max_attempts: 1 });
      const ip = freshIp();
      await wrong({ email: "made-up@example.com" }, ip);
      expectBruteForceBlock(await wrong({ email: "made-up@example.com" }, ip));
      await ipBlockRoute.DELETE(admin(`/api/admin/anomaly/blocks/ips/${ip}`, { method: "DELETE" }));
      expect((await wrong({ email: "made-up@example.com" }, ip)).status).toBe(403);
    });

    it("allowlist and monitoring mode", async () => {
      await updateAttackProtection(deps, OWNER, "suspicious-ip-throttling", {
        allowlist: ["192.0.2.0/24"],
        stage: { "pre-login": { max_attempts: 1, rate: 3_600_000 } },
      });
      const user = await newUser();
      for (let i = 0; i < 3; i++) await wrong({ email: `x${i}@example.com` }, "192.0.2.77");
      expect((await login(user, "192.0.2.77")).status).toBe(200);

      await updateAttackProtection(deps, OWNER, "suspicious-ip-throttling", { shields: [], allowlist: [] });
      const ip = freshIp();
      const r = [];
      for (let i = 0; i < 3; i++) r.push(await wrong({ email: `y${i}@example.com` }, ip));
      expect(r.map((x) => x.status)).toEqual([403, 403, 403]);
      expect(r.flatMap((x) => x.logs).filter((l) => l.type === "limit_mu")).toHaveLength(1);
      expect((await login(user, ip)).status).toBe(200);
    });
  });

  describe("auth0-forwarded-for decides which IP is counted", () => {
    beforeEach(async () => {
      await updateAttackProtection(deps, OWNER, "brute-force-protection", { max_attempts: 1 });
    });

    async function attempt(
      client: "web" | "basic" | "spa",
      user: TFixtureUser,
      password: string,
      socketIp: string,
      forwarded: string,
    ) {
      const c = fx.clients[client];
      const headers = { "auth0-forwarded-for": forwarded };
      if (client === "basic") {
        return callToken(deps, {
          params: { grant_type: "password", username: user.email, password },
          basic: { id: fx.clients.basic.clientId, secret: fx.clients.basic.secret },
          socketIp,
          headers,
        });
      }
      return callToken(deps, {
        params: passwordParams(c, { email: user.email, password }),
        socketIp,
        headers,
      });
    }

    it("trusted confidential client with its secret: the forwarded IP is counted, log ip = forwarded", async () => {
      const user = await newUser();
      const server = freshIp();
      const r = await attempt("web", user, "bad", server, "2001:db8:feed::1");
      expect(r.logs.find((l) => l.type === "fp")).toMatchObject({
        ip: "2001:db8:feed::1",
        client_ip: server,
      });
      expectBruteForceBlock(await attempt("web", user, user.password, server, "2001:db8:feed::1"));
      // The forwarded address is counted with its /64, like a socket address.
      expectBruteForceBlock(await attempt("web", user, user.password, server, "2001:db8:feed::2"));
      // Another end user behind the same server is not affected.
      expect((await attempt("web", user, user.password, server, "2001:db8:beef::2")).status).toBe(200);
    });

    it("public client, untrusted confidential client and invalid values: the socket IP is counted", async () => {
      for (const [client, forwarded] of [
        ["spa", "198.18.5.5"],
        ["basic", "198.18.5.6"],
        ["web", "not-an-ip"],
      ] as const) {
        const user = await newUser();
        const socket = freshIp();
        const first = await attempt(client, user, "bad", socket, forwarded);
        expect(first.logs.find((l) => l.type === "fp")?.ip, client).toBe(socket);
        // Where the header is not believed, a different value does not escape the block on the socket IP.
        const next = client === "web" ? "also-not-an-ip" : "198.18.9.9";
        expectBruteForceBlock(await attempt(client, user, user.password, socket, next));
      }
    });

    it("trusted client without its secret: refused before any counting", async () => {
      const user = await newUser();
      const socket = freshIp();
      const r = await callToken(deps, {
        params: {
          grant_type: "password",
          client_id: fx.clients.web.clientId,
          username: user.email,
          password: "bad",
        },
        socketIp: socket,
        headers: { "auth0-forwarded-for": "198.18.7.7" },
      });
      expect(r.status).toBe(401);
      expect((await login(user, socket)).status).toBe(200);
    });
  });

  describe("breached-password detection", () => {
    it("blocks the right breached password with 401 password_leaked until the password changes", async () => {
      await updateAttackProtection(deps, OWNER, "breached-password-detection", {
        enabled: true,
        shields: ["block", "user_notification", "admin_notification"],
      });
      const user = await newUser("AUTH0-TEST-leaky-pass");
      const ip = freshIp();
      // A wrong password is still just a wrong password: the check concerns the right one.
      expect((await wrong(user, ip)).status).toBe(403);
      const r = await login(user, ip);
      expect({ status: r.status, body: r.body }).toEqual({
        status: 401,
        body: { error: "password_leaked", error_description: LEAKED_TEXT },
      });
      expect(r.logs.map((l) => l.type)).toEqual(["pwd_leak"]);
      expect(r.logs[0]).toMatchObject({ user_id: user.userId, ip });
      expect((await login(user, ip)).status).toBe(401);
      expect((await outboxFor(user.email)).map((n) => n.kind)).toEqual(["breached_password_user"]);
      expect((await outboxFor("sec@acme.test")).some((n) => n.kind === "breached_password_admin")).toBe(true);
      // A breached new password is refused; a good one ends the block.
      await expect(setUserPassword(deps, OWNER, user.userId, "password123")).rejects.toThrow(/breached/);
      await setUserPassword(deps, OWNER, user.userId, "a-much-better-passphrase-7");
      expect((await login({ ...user, password: "a-much-better-passphrase-7" }, ip)).status).toBe(200);
    });

    it("commonly breached passwords from the bundled list are detected; without the block shield the login goes on", async () => {
      await updateAttackProtection(deps, OWNER, "breached-password-detection", {
        enabled: true,
        shields: [],
      });
      const user = await newUser("iloveyou");
      const r = await login(user, freshIp());
      expect(r.status).toBe(200);
      expect(r.logs.map((l) => l.type).sort()).toEqual(["pwd_leak", "sepft"]);
      const again = await login(user, freshIp());
      expect(again.logs.map((l) => l.type)).toEqual(["sepft"]);
      await updateAttackProtection(deps, OWNER, "breached-password-detection", { shields: ["block"] });
      expect((await login(user, freshIp())).status).toBe(401);
    });

    it("is off by default", async () => {
      const user = await newUser("AUTH0-TEST-default-off");
      expect((await login(user, freshIp())).status).toBe(200);
    });

    it("admin API: per-stage shields are validated, patched stage by stage, and shown back", async () => {
      const update = (body: unknown) =>
        updateAttackProtection(deps, OWNER, "breached-password-detection", body);
      for (const bad of [
        { stage: { "pre-user-registration": { shields: ["user_notification"] } } },
        { stage: { "pre-login": { shields: ["block"] } } },
        { stage: { "pre-change-password": { shields: ["block"], extra: 1 } } },
        { stage: { "pre-change-password": {} } },
        { stage: [] },
      ]) {
        await expect(update(bad), JSON.stringify(bad)).rejects.toThrow(AdminError);
      }
      expect((await getAttackProtection(deps, OWNER, "breached-password-detection")).stage).toBeUndefined();
      await update({ stage: { "pre-user-registration": { shields: ["block", "admin_notification"] } } });
      const after = await update({ stage: { "pre-change-password": { shields: ["block"] } } });
      expect(after.stage).toEqual({
        "pre-user-registration": { shields: ["block", "admin_notification"] },
        "pre-change-password": { shields: ["block"] },
      });
    });
  });

  describe("notifications", () => {
    it("the outbox is listed through the admin API", async () => {
      await updateAttackProtection(deps, OWNER, "brute-force-protection", { max_attempts: 1 });
      const user = await newUser();
      await wrong(user, freshIp());
      const res = await notificationsRoute.GET(admin("/api/admin/notifications?kind=brute_force_block"));
      const body = (await res.json()) as { notifications: { to: string; subject: string }[] };
      expect(body.notifications.find((n) => n.to === user.email)?.subject).toMatch(/blocked/);
    });

    it("no listing hands out a working unblock link: not the admin API, not the dashboard, not the table", async () => {
      const user = await newUser();
      const { token } = await blockAndReadLink(user);
      // A row written before links were redacted at rest still holds a whole link.
      const legacy = await newUser();
      const legacyToken = deps.protection.unblockLinks.sign({
        key: `x|${legacy.email}|${freshIp()}`,
        userId: legacy.userId,
        expiresAt: new Date(deps.clock.now().getTime() + DAY_MS),
      });
      await deps.db.run(
        `INSERT INTO "Notification" ("id","createdAt","kind","recipient","subject","text","transport","status") VALUES (?,?,?,?,?,?,?,?)`,
        [
          "ntf_legacy_row",
          deps.clock.now(),
          "brute_force_block",
          legacy.email,
          "Your account has been blocked",
          `Unblock:\nhttps://portcullis.test/unblock/${legacyToken}\n`,
          "outbox",
          "outbox",
        ],
      );

      const res = await notificationsRoute.GET(
        admin("/api/admin/notifications?kind=brute_force_block&take=1000"),
      );
      const api = JSON.stringify(await res.json());
      const dashboard = JSON.stringify(await getProtectionView(deps, OWNER));
      const stored = JSON.stringify(await deps.db.all(`SELECT "text" FROM "Notification"`));
      for (const listing of [api, dashboard]) {
        expect(listing).toContain("/unblock/[redacted]");
        expect(listing).not.toContain(token);
        expect(listing).not.toContain(legacyToken);
        for (const [, t] of listing.matchAll(/\/unblock\/([^\s"\\]+)/g)) {
          expect(await inspectUnblockLink(deps, t!)).toEqual({ isValid: false });
        }
      }
      expect(stored).not.toContain(token);
      // The link itself, from the user's mail, still works.
      expect((await pressUnblock(token)).status).toBe(200);
    });
  });

  describe("concurrency", () => {
    it("200 parallel wrong passwords for one identifier and IP admit exactly 10 password checks", async () => {
      const user = await newUser();
      const ip = freshIp();
      const verify = vi.spyOn(deps.hasher, "verify");
      try {
        const responses = await Promise.all(
          Array.from({ length: 200 }, () =>
            handleTokenRequest(
              buildTokenRequest({
                params: passwordParams(fx.clients.web, { ...user, password: "bad" }),
                socketIp: ip,
              }),
              deps,
            ),
          ),
        );
        const statuses = responses.map((r) => r.status);
        expect(verify).toHaveBeenCalledTimes(10);
        expect(statuses.filter((s) => s === 403)).toHaveLength(10);
        expect(statuses.filter((s) => s === 429)).toHaveLength(190);
      } finally {
        verify.mockRestore();
      }
      const limitWc = await listLogs(deps.db, { type: "limit_wc", take: 1000 });
      // Exactly one record started the block; the rest record refused attempts.
      expect(limitWc.filter((l) => l.ip === ip && l.details?.count === 10)).toHaveLength(1);
      expect((await outboxFor(user.email)).length).toBe(1);
    });

    it.runIf(kind === "postgres")(
      "two independent server dependency sets (pools, caches) on one database share the counters exactly",
      async () => {
        // A second server's dependencies: its own pools and caches, the same database (real processes: server/http/multi-process.test.ts).
        const { createDeps } = await import("../config/deps.ts");
        const { randomBytes } = await import("node:crypto");
        const second = await createDeps(deps.env, { clock: deps.clock, masterKey: randomBytes(32) });
        const fire = (via: typeof second, user: TFixtureUser, password: string, ip: string) =>
          handleTokenRequest(
            buildTokenRequest({
              params: passwordParams(fx.clients.web, { ...user, password }),
              socketIp: ip,
            }),
            via,
          );
        try {
          await second.config.attackProtection();
          const v1 = vi.spyOn(deps.hasher, "verify");
          const v2 = vi.spyOn(second.hasher, "verify");
          try {
            // Taking turns: each process admits attempts until the shared count reaches 10, then both refuse.
            const user = await newUser();
            const ip = freshIp();
            const statuses: number[] = [];
            for (let i = 0; i < 14; i++)
              statuses.push((await fire(i % 2 ? second : deps, user, "bad", ip)).status);
            expect(statuses).toEqual([...Array(10).fill(403), 429, 429, 429, 429]);
            expect([v1.mock.calls.length, v2.mock.calls.length]).toEqual([5, 5]);
            expect((await fire(second, user, user.password, ip)).status).toBe(429);
            expect((await fire(deps, user, user.password, ip)).status).toBe(429);

            // All at once, split between the processes: still exactly 10 password checks.
            v1.mockClear();
            v2.mockClear();
            const other = await newUser();
            const ip2 = freshIp();
            const responses = await Promise.all(
              Array.from({ length: 200 }, (_, i) => fire(i % 2 ? second : deps, other, "bad", ip2)),
            );
            expect(v1.mock.calls.length + v2.mock.calls.length).toBe(10);
            expect(responses.filter((r) => r.status === 429)).toHaveLength(190);
          } finally {
            v1.mockRestore();
            v2.mockRestore();
          }
        } finally {
          await second.close();
        }
      },
    );
  });

  describe("fail closed", () => {
    it("refuses logins with 503 when the store cannot answer, before any password check", async () => {
      const logged: string[] = [];
      const log = createLogger(
        { LOG_LEVEL: "error", LOG_FORMAT: "json" },
        { write: (l: string) => logged.push(l) },
      );
      const broken = await createTestDeps(kind, {}, { log });
      const bfx = await seedFixture(broken);
      // The configuration the request reads before its admission check (client, realm, tenant, policies) is cached,
      // as on a server that has been answering (for the whole test, however slow the machine); only the admission
      // check still needs the store.
      broken.config = createConfigCache(broken.db, 60_000);
      await broken.config.attackProtection();
      await broken.config.client(bfx.clients.web.clientId);
      await broken.config.tenant();
      await broken.config.connection(bfx.connections.database.name);
      await broken.db.close();
      const verify = vi.spyOn(broken.hasher, "verify");
      try {
        const res = await handleTokenRequest(
          buildTokenRequest({
            params: passwordParams(bfx.clients.web, bfx.users.alice),
            socketIp: freshIp(),
          }),
          broken,
        );
        expect(res.status).toBe(503);
        expect(await res.json()).toEqual({
          error: "temporarily_unavailable",
          error_description: "Login is temporarily unavailable. Please try again later.",
        });
        expect(res.headers.get("retry-after")).toBe("5");
        expect(verify).not.toHaveBeenCalled();
        expect(logged.some((l) => l.includes("attack-protection store unavailable"))).toBe(true);
      } finally {
        verify.mockRestore();
        await broken.cleanup();
      }
    });
  });
});
