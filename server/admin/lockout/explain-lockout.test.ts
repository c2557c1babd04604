import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../../testing/test-deps.ts";
import { createFixtureUser, seedFixture, type TFixture, type TFixtureUser } from "../../testing/fixtures.ts";
import { callToken, passwordParams, type TTokenResult } from "../../testing/token-calls.ts";
import { callChangePassword } from "../../testing/dbconnection-calls.ts";
import { adminOf } from "../../testing/admin-actors.ts";
import { setDeps } from "../../config/deps.ts";
import { CLIENT_IP_HEADER } from "../../oauth/core/request.ts";
import {
  showResetPasswordPage,
  submitResetPasswordPage,
} from "../../oauth/dbconnections/reset-password-page.ts";
import { redeemUnblockLink } from "../../protection/redeem-unblock-link.ts";
import { updateAttackProtection } from "../protection/update-attack-protection.ts";
import { AdminError } from "../admin-error.ts";
import { setUserPassword } from "../set-user-password.ts";
import type { TMessage } from "../../notifications/notifier.ts";
import { explainLockout } from "./explain-lockout.ts";
import { describeCause, type TLockoutCause, type TLockoutExplanation } from "./describe-lockout.ts";
import * as lockoutRoute from "../../../app/api/admin/users/[userId]/lockout/route.ts";
import * as userBlocksRoute from "../../../app/api/admin/user-blocks/route.ts";
import * as ipBlockRoute from "../../../app/api/admin/anomaly/blocks/ips/[ip]/route.ts";
import * as blockUserRoute from "../../../app/api/admin/users/[userId]/block/route.ts";

const ADMIN_TOKEN = "test-admin-token-lockout-0123456789abcdef-01";
const DAY_MS = 24 * 3600 * 1000;
const security = adminOf("security");

let ipCounter = 0;
/** A fresh IPv4 address per attempt series, so counters and buckets never leak between tests. */
function freshIp(): string {
  ipCounter++;
  return `203.0.${100 + Math.floor(ipCounter / 250)}.${(ipCounter % 250) + 1}`;
}

function adminRequest(path: string, init: { method?: string; token?: string | null; body?: unknown } = {}) {
  const headers = new Headers();
  if (init.token !== null) headers.set("authorization", `Bearer ${init.token ?? ADMIN_TOKEN}`);
  if (init.body !== undefined) headers.set("content-type", "application/json");
  return new Request(`https://portcullis.test${path}`, {
    method: init.method ?? "GET",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}
const ctx = (params: Record<string, string>) => ({ params: Promise.resolve(params) });

const kinds = (c: TLockoutCause) => c.lifts.map((l) => l.kind);
const ids = (results: TTokenResult[], type: string) =>
  results.flatMap((r) => r.logs.filter((l) => l.type === type).map((l) => l.log_id));

describe.each(testDatabaseKinds())("lockout explainer (%s)", (kind) => {
  let deps: TTestDeps;
  let fx: TFixture;
  const mailbox: TMessage[] = [];

  beforeAll(async () => {
    deps = await createTestDeps(kind, {
      PORTCULLIS_ADMIN_API_TOKEN: ADMIN_TOKEN,
      PORTCULLIS_ADMIN_EMAIL: "sec@acme.test",
    });
    fx = await seedFixture(deps);
    setDeps(deps);
    const notify = deps.notifier.notify.bind(deps.notifier);
    // What the users' mailboxes get (the Notification rows keep unblock tokens redacted).
    vi.spyOn(deps.notifier, "notify").mockImplementation(async (m, key, windowMs) => {
      mailbox.push(m);
      return notify(m, key, windowMs);
    });
  });
  afterAll(async () => {
    await deps?.cleanup();
  });
  beforeEach(async () => {
    await deps.db.run(`DELETE FROM "AttackProtection"`);
    deps.config.clear();
    // Mail dedupe windows and send limits refill between tests.
    deps.clock.advance(DAY_MS);
  });

  const newUser = (password = "right-password-1") =>
    createFixtureUser(deps, fx, { connection: "database", password });
  const login = (user: { email: string; password: string }, ip: string) =>
    callToken(deps, { params: passwordParams(fx.clients.web, user), socketIp: ip });
  const wrong = (email: string, ip: string) => login({ email, password: "wrong-password" }, ip);
  const explain = (user: TFixtureUser) => explainLockout(deps, security, user.userId);

  async function explainOverHttp(userId: string, token?: string | null) {
    const res = await lockoutRoute.GET(
      adminRequest(`/api/admin/users/${encodeURIComponent(userId)}/lockout`, { token }),
      ctx({ userId }),
    );
    return { status: res.status, body: (await res.json()) as TLockoutExplanation & Record<string, unknown> };
  }

  async function failTimes(email: string, ips: string[]): Promise<TTokenResult[]> {
    const out: TTokenResult[] = [];
    for (const ip of ips) {
      out.push(await wrong(email, ip));
      // Records of one millisecond sort by their random suffix; a second apart they sort as they happened.
      deps.clock.advance(1000);
    }
    return out;
  }

  it("a user with nothing against them is clear", async () => {
    const user = await newUser();
    expect((await login(user, freshIp())).status).toBe(200);
    expect(await explain(user)).toEqual({ state: "clear", causes: [] });
  });

  it("brute force (IPv4): at risk while counting, then blocked with its records, lifts and link; an admin unblock clears it", async () => {
    const user = await newUser();
    const ip = freshIp();
    const early = await failTimes(user.email, [ip, ip, ip]);
    const first = new Date(early[0]!.logs[0]!.date);
    const third = new Date(early[2]!.logs[0]!.date);
    const atRisk = await explain(user);
    expect(atRisk).toEqual({
      state: "at-risk",
      causes: [
        {
          kind: "brute-force",
          state: "at-risk",
          ip,
          addresses: [ip],
          identifier: user.email.toLowerCase(),
          connection: fx.connections.database.name,
          mode: "count_per_identifier_and_ip",
          count: 3,
          threshold: 10,
          first_failed_at: first.toISOString(),
          last_failed_at: third.toISOString(),
          since: first.toISOString(),
          until: new Date(third.getTime() + 30 * DAY_MS).toISOString(),
          records: ids(early, "fp"),
          lifts: expect.any(Array) as unknown,
        },
      ],
    });
    expect(kinds(atRisk.causes[0]!)).toEqual(["successful-login", "admin-unblock", "password-reset", "time"]);

    deps.clock.advance(60_000);
    const rest = await failTimes(user.email, Array<string>(7).fill(ip));
    const blockedAt = new Date(rest[6]!.logs[0]!.date);
    const refused = await login(user, ip);
    expect(refused.status).toBe(429);
    const blocked = await explain(user);
    expect(blocked.state).toBe("blocked");
    const cause = blocked.causes[0]!;
    expect(cause).toMatchObject({
      kind: "brute-force",
      state: "blocked",
      ip,
      count: 10,
      threshold: 10,
      first_failed_at: first.toISOString(),
      last_failed_at: blockedAt.toISOString(),
      since: blockedAt.toISOString(),
      until: new Date(blockedAt.getTime() + 30 * DAY_MS).toISOString(),
    });
    // The ten wrong passwords, the record of the block starting, and the refusal after it.
    expect(cause.records).toEqual([
      ...ids(early, "fp"),
      ...rest.flatMap((r) => r.logs.map((l) => l.log_id).sort()),
      ...ids([refused], "limit_wc"),
    ]);
    expect(kinds(cause)).toEqual([
      "admin-unblock",
      "password-reset",
      "admin-set-password",
      "unblock-link",
      "raise-threshold",
      "time",
    ]);
    const [local = "", domain] = user.email.split("@");
    expect(cause.lifts).toContainEqual({
      kind: "unblock-link",
      action: null,
      sent_at: blockedAt.toISOString(),
      to: `${local[0]}***@${domain}`,
      status: "outbox",
      expires_at: new Date(blockedAt.getTime() + 5 * DAY_MS).toISOString(),
    });
    expect(cause.lifts[0]).toEqual({
      kind: "admin-unblock",
      action: "protection:unblock",
      identifier: user.email.toLowerCase(),
      request: {
        method: "DELETE",
        path: `/api/admin/user-blocks?identifier=${encodeURIComponent(user.email.toLowerCase())}`,
      },
    });
    expect(describeCause(cause, deps.clock.now())).toContain(
      `from ${ip} after 10 wrong passwords (threshold 10); lifts when an admin unblocks, the user resets the password`,
    );
    // No secret: the token of the mailed link appears nowhere in the answer.
    const token = /\/unblock\/([^\s/?#]+)/.exec(mailbox.at(-1)?.text ?? "")![1]!;
    expect(JSON.stringify(blocked)).not.toContain(token);
    expect(JSON.stringify(blocked)).not.toContain("wrong-password");

    // The admin unblock named in the lift, over HTTP, clears it; the next login succeeds.
    const lift = cause.lifts[0]!;
    if (lift.kind !== "admin-unblock") throw new Error("expected admin-unblock first");
    const res = await userBlocksRoute.DELETE(adminRequest(lift.request.path, { method: "DELETE" }));
    expect(res.status).toBe(204);
    expect(await explain(user)).toEqual({ state: "clear", causes: [] });
    expect((await login(user, ip)).status).toBe(200);
  });

  it("IPv6: failures from different addresses of one /64 are one block, explained with the /64 and each address", async () => {
    const user = await newUser();
    const addresses = Array.from(
      { length: 10 },
      (_, i) => `2001:db8:77:${kind === "sqlite" ? 1 : 2}::${i + 1}`,
    );
    const network = `2001:db8:77:${kind === "sqlite" ? 1 : 2}::/64`;
    const results = await failTimes(user.email, addresses);
    expect((await login(user, "2001:db8:77:ff::1")).status).toBe(200);
    // The success from another /64 reset only that network's counter; this one is still blocked.
    expect((await login(user, addresses[0]!)).status).toBe(429);
    const { state, causes } = await explain(user);
    expect(state).toBe("blocked");
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatchObject({ kind: "brute-force", ip: network, addresses, count: 10 });
    // Ten wrong passwords (the tenth also starting the block), then the refusal.
    expect(causes[0]!.records.slice(0, 11)).toEqual(
      results.flatMap((r) => r.logs.map((l) => l.log_id).sort()),
    );
    expect(describeCause(causes[0]!, deps.clock.now())).toContain(
      `from the network ${network} (addresses ${addresses.join(", ")}) after 10 wrong passwords`,
    );
  });

  it("brute force typed in another case: the counter is the lower-cased identifier, and its records are found by the names as typed", async () => {
    const n = ipCounter;
    const name = `alice_${n}`;
    const user = await createFixtureUser(deps, fx, {
      connection: "database",
      password: "right-password-1",
      email: `alice.${n}@example.com`,
      username: name,
    });
    const ip = freshIp();
    // The email in mixed case finds the user (emails are stored lower-cased): wrong passwords with the user id.
    const mixedEmail = `Alice.${n}@Example.COM`;
    const byEmail = await failTimes(mixedEmail, Array<string>(10).fill(ip));
    const refusedEmail = await login({ ...user, email: mixedEmail }, ip);
    expect(refusedEmail.status).toBe(429);
    // Refused before any user lookup: the record carries only the name as typed.
    expect(refusedEmail.logs[0]).toMatchObject({ type: "limit_wc", user_name: mixedEmail });
    expect(refusedEmail.logs[0]!.user_id).toBeUndefined();
    // The username in another case finds no user (usernames match exactly), but counts against the lower-cased
    // name all the same, so it blocks the real user's logins with their own username.
    const upperName = name.toUpperCase();
    const byName = await failTimes(upperName, Array<string>(10).fill(ip));
    expect(byName.every((r) => r.logs[0]!.type === "fu" || r.logs[0]!.type === "limit_wc")).toBe(true);
    expect((await login({ ...user, email: name }, ip)).status).toBe(429);
    deps.clock.advance(1000);
    const refusedName = await login({ ...user, email: upperName }, ip);
    expect(refusedName.logs[0]).toMatchObject({ type: "limit_wc", user_name: upperName });

    const { state, causes } = await explain(user);
    expect(state).toBe("blocked");
    const byIdentifier = new Map(causes.map((c) => [c.kind === "brute-force" ? c.identifier : "", c]));
    expect([...byIdentifier.keys()].sort()).toEqual([user.email, name].sort());
    const emailCause = byIdentifier.get(user.email)!;
    expect(emailCause).toMatchObject({ kind: "brute-force", state: "blocked", ip, count: 10, threshold: 10 });
    expect(emailCause.records).toEqual([
      ...byEmail.flatMap((r) => r.logs.map((l) => l.log_id).sort()),
      ...ids([refusedEmail], "limit_wc"),
    ]);
    const nameCause = byIdentifier.get(name)!;
    expect(nameCause).toMatchObject({
      kind: "brute-force",
      state: "blocked",
      ip,
      count: 10,
      addresses: [ip],
    });
    // The ten unknown-user failures (the tenth also starting the block), the refusal of the user's own name and
    // the refusal in upper case.
    expect(nameCause.records.slice(0, 11)).toEqual(byName.flatMap((r) => r.logs.map((l) => l.log_id).sort()));
    expect(nameCause.records.at(-1)).toBe(refusedName.logs[0]!.log_id);
    expect(describeCause(nameCause, deps.clock.now())).toContain(`from ${ip} after 10 wrong passwords`);
  });

  it("account lockout mode: one block from every IP, without an ip; an admin unblock over HTTP lifts it", async () => {
    await updateAttackProtection(deps, adminOf("owner"), "brute-force-protection", {
      mode: "count_per_identifier",
    });
    const user = await newUser();
    const ips = Array.from({ length: 10 }, () => freshIp());
    await failTimes(user.email, ips);
    expect((await login(user, freshIp())).status).toBe(429);
    const { state, causes } = await explain(user);
    expect(state).toBe("blocked");
    expect(causes).toHaveLength(1);
    expect(causes[0]).not.toHaveProperty("ip");
    expect(causes[0]).toMatchObject({
      kind: "brute-force",
      mode: "count_per_identifier",
      count: 10,
      addresses: expect.arrayContaining(ips) as unknown,
    });
    expect(describeCause(causes[0]!, deps.clock.now())).toMatch(
      /^Blocked since .* from any IP \(account lockout/,
    );
    const res = await userBlocksRoute.DELETE(
      adminRequest(`/api/admin/user-blocks?identifier=${encodeURIComponent(user.email)}`, {
        method: "DELETE",
      }),
    );
    expect(res.status).toBe(204);
    expect((await explain(user)).state).toBe("clear");
  });

  it("brute force lifted by the user's password reset (the reset flow)", async () => {
    const user = await newUser();
    const ip = freshIp();
    await failTimes(user.email, Array<string>(10).fill(ip));
    expect((await explain(user)).state).toBe("blocked");
    mailbox.length = 0;
    const asked = await callChangePassword(deps, {
      body: {
        client_id: fx.clients.spa.clientId,
        connection: fx.connections.database.name,
        email: user.email,
      },
      socketIp: freshIp(),
    });
    expect(asked.status).toBe(200);
    const mail = mailbox.find((m) => m.kind === "password_reset");
    const ticket = /\/reset-password\?ticket=([A-Za-z0-9_-]+)/.exec(mail?.text ?? "")![1]!;
    const page = await showResetPasswordPage(
      new Request(`https://portcullis.test/reset-password?ticket=${ticket}`),
      deps,
    );
    const formToken = /name="form_token" value="([^"]+)"/.exec(await page.text())![1]!;
    const password = "Brand-New-Passw0rd-42";
    const done = await submitResetPasswordPage(
      new Request("https://portcullis.test/reset-password", {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          origin: "https://portcullis.test",
          [CLIENT_IP_HEADER]: "198.51.100.77",
        },
        body: new URLSearchParams({ ticket, form_token: formToken, password, password_confirm: password }),
      }),
      deps,
    );
    expect(done.status).toBe(200);
    expect(await explain(user)).toEqual({ state: "clear", causes: [] });
    expect((await login({ email: user.email, password }, ip)).status).toBe(200);
  });

  it("brute force lifted by the unblock link the user was mailed", async () => {
    const user = await newUser();
    const ip = freshIp();
    mailbox.length = 0;
    await failTimes(user.email, Array<string>(10).fill(ip));
    const blocked = await explain(user);
    expect(kinds(blocked.causes[0]!)).toContain("unblock-link");
    const mail = mailbox.find((m) => m.kind === "brute_force_block");
    const token = /\/unblock\/([^\s/?#]+)/.exec(mail?.text ?? "")![1]!;
    expect(await redeemUnblockLink(deps, token)).toBe("unblocked");
    expect(await explain(user)).toEqual({ state: "clear", causes: [] });
    expect((await login(user, ip)).status).toBe(200);
  });

  it("brute force ends by itself at `until`: 30 days after the last failure", async () => {
    const user = await newUser();
    const ip = freshIp();
    await failTimes(user.email, Array<string>(10).fill(ip));
    const { causes } = await explain(user);
    const until = new Date(causes[0]!.until!);
    expect(causes[0]!.lifts.at(-1)).toEqual({ kind: "time", action: null, at: until.toISOString() });
    deps.clock.set(new Date(until.getTime() - 1000));
    expect((await explain(user)).state).toBe("blocked");
    deps.clock.set(new Date(until.getTime() + 1000));
    expect(await explain(user)).toEqual({ state: "clear", causes: [] });
    expect((await login(user, ip)).status).toBe(200);
  });

  it("IP throttle of the IP the user signs in from: blocked with when it frees, at risk after a refill, lifted by an IP unblock", async () => {
    await updateAttackProtection(deps, adminOf("owner"), "suspicious-ip-throttling", {
      stage: { "pre-login": { max_attempts: 3, rate: 3_600_000 } },
    });
    const user = await newUser();
    const office = freshIp();
    expect((await login(user, office)).status).toBe(200);
    // Someone else at the same address guesses other accounts' passwords and drains the address's budget.
    const start = deps.clock.now();
    const others = await failTimes(`stranger-${ipCounter}@example.com`, [office, office, office]);
    const refused = await login(user, office);
    const refusedAt = new Date(refused.logs[0]!.date);
    expect(refused.status).toBe(429);
    const blocked = await explain(user);
    expect(blocked).toEqual({
      state: "blocked",
      causes: [
        {
          kind: "ip-throttle",
          state: "blocked",
          ip: office,
          addresses: [office],
          count: 3,
          threshold: 3,
          last_failed_at: new Date(start.getTime() + 2000).toISOString(),
          since: refusedAt.toISOString(),
          until: new Date(start.getTime() + 3_600_000).toISOString(),
          records: [...ids(others, "fu"), ...ids([refused], "limit_mu")],
          lifts: [
            {
              kind: "admin-unblock-ip",
              action: "protection:unblock",
              ip: office,
              request: { method: "DELETE", path: `/api/admin/anomaly/blocks/ips/${office}` },
            },
            { kind: "time", action: null, at: new Date(start.getTime() + 3_600_000).toISOString() },
          ],
        },
      ],
    });
    // An hour on, one attempt is back: not refusing, still mostly drained.
    deps.clock.set(new Date(start.getTime() + 3_600_000));
    const later = await explain(user);
    expect(later.state).toBe("at-risk");
    expect(later.causes[0]).toMatchObject({ kind: "ip-throttle", state: "at-risk", count: 2 });
    const res = await ipBlockRoute.DELETE(
      adminRequest(`/api/admin/anomaly/blocks/ips/${office}`, { method: "DELETE" }),
      ctx({ ip: office }),
    );
    expect(res.ok).toBe(true);
    expect(await explain(user)).toEqual({ state: "clear", causes: [] });
  });

  it("IP throttle of an address the user was only refused from: found by the name the refusal records", async () => {
    await updateAttackProtection(deps, adminOf("owner"), "suspicious-ip-throttling", {
      stage: { "pre-login": { max_attempts: 2, rate: 3_600_000 } },
    });
    const user = await newUser();
    const cafe = freshIp();
    await failTimes(`stranger-${ipCounter}@example.com`, [cafe, cafe]);
    const refused = await login(user, cafe);
    expect(refused.status).toBe(429);
    // Refused before any user lookup: the record names the user but carries no user id.
    expect(refused.logs[0]).toMatchObject({ type: "limit_mu", user_name: user.email });
    expect(refused.logs[0]!.user_id).toBeUndefined();
    const { state, causes } = await explain(user);
    expect(state).toBe("blocked");
    expect(causes).toEqual([
      expect.objectContaining({ kind: "ip-throttle", state: "blocked", ip: cafe, count: 2, threshold: 2 }),
    ]);
    expect(causes[0]!.records.at(-1)).toBe(refused.logs[0]!.log_id);
  });

  it("admin block: who set it and when, with its sapi record; the admin unblock over HTTP clears it", async () => {
    const user = await newUser();
    const res = await blockUserRoute.POST(
      adminRequest(`/api/admin/users/${user.userId}/block`, { method: "POST", body: { blocked: true } }),
      ctx({ userId: user.userId }),
    );
    expect(res.status).toBe(200);
    const since = deps.clock.now().toISOString();
    const { state, causes } = await explain(user);
    expect(state).toBe("blocked");
    expect(causes).toEqual([
      {
        kind: "admin-block",
        state: "blocked",
        by: "api-token",
        since,
        until: null,
        records: [expect.stringMatching(/^90/) as unknown],
        lifts: [
          {
            kind: "admin-unblock-user",
            action: "users:block",
            request: {
              method: "POST",
              path: `/api/admin/users/${encodeURIComponent(user.userId)}/block`,
              body: { blocked: false },
            },
          },
        ],
      },
    ]);
    expect(describeCause(causes[0]!, deps.clock.now())).toMatch(
      /^Blocked by api-token since .* UTC \(just now\); lifts when an admin unblocks the user\.$/,
    );
    const lift = causes[0]!.lifts[0]!;
    if (lift.kind !== "admin-unblock-user") throw new Error("expected admin-unblock-user");
    await blockUserRoute.POST(
      adminRequest(lift.request.path, { method: "POST", body: lift.request.body }),
      ctx({ userId: user.userId }),
    );
    expect(await explain(user)).toEqual({ state: "clear", causes: [] });
  });

  it("breached password: blocked while detection blocks, a warning when it does not; a password reset clears it", async () => {
    await updateAttackProtection(deps, adminOf("owner"), "breached-password-detection", {
      enabled: true,
      shields: ["block"],
    });
    const user = await newUser("AUTH0-TEST-lockout-explainer");
    const leaked = await login(user, freshIp());
    expect(leaked).toMatchObject({ status: 401, body: { error: "password_leaked" } });
    const { state, causes } = await explain(user);
    expect(state).toBe("blocked");
    expect(causes).toEqual([
      {
        kind: "breached-password",
        state: "blocked",
        since: leaked.logs[0]!.date,
        until: null,
        records: ids([leaked], "pwd_leak"),
        lifts: [
          expect.objectContaining({ kind: "password-reset", action: "users:write" }) as unknown,
          expect.objectContaining({ kind: "admin-set-password", action: "users:write" }) as unknown,
        ],
      },
    ]);
    await updateAttackProtection(deps, adminOf("owner"), "breached-password-detection", { shields: [] });
    expect((await explain(user)).causes[0]).toMatchObject({ kind: "breached-password", state: "at-risk" });
    await setUserPassword(deps, adminOf("owner"), user.userId, "Fresh-Unbreached-Passw0rd-7");
    expect(await explain(user)).toEqual({ state: "clear", causes: [] });
  });

  it("GET /api/admin/users/{id}/lockout: 401 without or with a wrong token, 404 for an unknown user, the body for a known one", async () => {
    const user = await newUser();
    const ip = freshIp();
    await failTimes(user.email, [ip, ip]);
    expect((await explainOverHttp(user.userId, null)).status).toBe(401);
    expect((await explainOverHttp(user.userId, "not-the-admin-token-0123456789abcdef")).status).toBe(401);
    const unknown = await explainOverHttp("auth0|no-such-user");
    expect(unknown).toMatchObject({ status: 404, body: { statusCode: 404, errorCode: "inexistent_user" } });
    const known = await explainOverHttp(user.userId);
    expect(known.status).toBe(200);
    expect(known.body).toEqual(await explain(user));
    expect(known.body).toMatchObject({ state: "at-risk", causes: [{ kind: "brute-force", ip, count: 2 }] });
    // Ids that name nobody — not valid percent-encoding, a NUL, very long — are a 404, never a 500.
    for (const raw of ["%", "auth0|\u0000", "x".repeat(5000)]) {
      const res = await lockoutRoute.GET(
        adminRequest(`/api/admin/users/${encodeURIComponent(raw)}/lockout`),
        ctx({ userId: raw }),
      );
      expect(res.status, raw.slice(0, 20)).toBe(404);
    }
    // Roles without logs:read are refused by the use case too (the route's guard is the first check).
    await expect(explainLockout(deps, adminOf("rules-editor"), user.userId)).rejects.toStrictEqual(
      AdminError.forbidden(),
    );
    for (const role of ["owner", "admin", "security", "viewer"] as const)
      expect((await explainLockout(deps, adminOf(role), user.userId)).state).toBe("at-risk");
  });
});
