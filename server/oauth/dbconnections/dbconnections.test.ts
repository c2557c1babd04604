import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../../testing/test-deps.ts";
import { createFixtureUser, seedFixture, type TFixture, type TFixtureUser } from "../../testing/fixtures.ts";
import { callToken, passwordParams, realmParams } from "../../testing/token-calls.ts";
import { callChangePassword, callSignup } from "../../testing/dbconnection-calls.ts";
import { CLIENT_IP_HEADER } from "../core/request.ts";
import { findUserByIdentifier, findUserByUserId } from "../../store/users.ts";
import { upsertConnectionByName } from "../../store/connections.ts";
import { listLogs } from "../../store/logs.ts";
import { updateAttackProtection } from "../../admin/protection/update-attack-protection.ts";
import type { TMessage } from "../../notifications/notifier.ts";
import { showResetPasswordPage, submitResetPasswordPage } from "./reset-password-page.ts";
import { showVerifyEmailPage, submitVerifyEmailPage } from "./verify-email-page.ts";
import { ACCOUNT_TICKET_TTL_MS } from "./account-tickets.ts";

const OWNER = { id: "adm_owner", email: "owner@example.com", role: "owner" as const };
const RESET_SENT = "We've just sent you an email to reset your password.";

let ipCounter = 0;
function freshIp(): string {
  ipCounter++;
  return `192.0.2.${ipCounter % 250}`;
}
let emailCounter = 0;
function freshEmail(): string {
  emailCounter++;
  return `new-${Date.now()}-${emailCounter}@example.com`;
}

describe.each(testDatabaseKinds())("/dbconnections (%s)", (kind) => {
  let deps: TTestDeps;
  let fx: TFixture;
  const sent: TMessage[] = [];

  beforeAll(async () => {
    deps = await createTestDeps(kind);
    fx = await seedFixture(deps);
    // Auth0's "good" policy (8 characters, 3 of 4 kinds) and a password history, on the Default Directory.
    await upsertConnectionByName(
      deps.db,
      {
        name: fx.connections.database.name,
        options: { passwordPolicy: "good", password_history: { enable: true, size: 3 } },
      },
      { connectionId: fx.connections.database.connectionId },
      deps.clock.now(),
    );
    const notify = deps.notifier.notify.bind(deps.notifier);
    // What the recipients' mailboxes get (the outbox keeps the links redacted).
    vi.spyOn(deps.notifier, "notify").mockImplementation(async (m, key, windowMs) => {
      sent.push(m);
      return notify(m, key, windowMs);
    });
  });
  afterAll(async () => {
    await deps?.cleanup();
  });
  beforeEach(async () => {
    await deps.db.run(`DELETE FROM "AttackProtection"`);
    deps.config.clear();
    sent.length = 0;
    // Mail limits and dedupe windows refill between tests.
    deps.clock.advance(24 * 3600 * 1000);
  });

  const db = () => fx.connections.database.name;
  function signup(body: Record<string, unknown>, opts: { ip?: string; encoding?: "json" | "form" } = {}) {
    return callSignup(deps, {
      body: { client_id: fx.clients.spa.clientId, connection: db(), ...body },
      socketIp: opts.ip ?? freshIp(),
      encoding: opts.encoding,
    });
  }
  function changePassword(email: string, ip = freshIp()) {
    return callChangePassword(deps, {
      body: { client_id: fx.clients.spa.clientId, connection: db(), email },
      socketIp: ip,
    });
  }
  function login(email: string, password: string) {
    return callToken(deps, {
      params: realmParams(fx.clients.web, { email, password }, db()),
      socketIp: freshIp(),
    });
  }
  function linkIn(m: TMessage | undefined, path: string): string {
    const match = new RegExp(`https://portcullis\\.test${path}\\?ticket=([A-Za-z0-9_-]+)`).exec(
      m?.text ?? "",
    );
    expect(match, `no ${path} link in ${m?.text}`).not.toBeNull();
    return match![1]!;
  }
  function pageGet(path: string, ticket: string): Request {
    return new Request(`https://portcullis.test${path}?ticket=${encodeURIComponent(ticket)}`);
  }
  function pagePost(
    path: string,
    fields: Record<string, string>,
    headers: Record<string, string> = {},
  ): Request {
    return new Request(`https://portcullis.test${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: "https://portcullis.test",
        [CLIENT_IP_HEADER]: "198.51.100.77",
        ...headers,
      },
      body: new URLSearchParams(fields),
    });
  }
  function formTokenOf(html: string): string {
    return /name="form_token" value="([^"]+)"/.exec(html)![1]!;
  }
  async function requestReset(user: { email: string }): Promise<string> {
    sent.length = 0;
    const res = await changePassword(user.email);
    expect(res.status).toBe(200);
    return linkIn(
      sent.find((m) => m.kind === "password_reset"),
      "/reset-password",
    );
  }
  async function submitReset(ticket: string, password: string, confirm = password) {
    const page = await showResetPasswordPage(pageGet("/reset-password", ticket), deps);
    const html = await page.text();
    const res = await submitResetPasswordPage(
      pagePost("/reset-password", {
        ticket,
        form_token: formTokenOf(html),
        password,
        password_confirm: confirm,
      }),
      deps,
    );
    return { status: res.status, html: await res.text() };
  }

  describe("signup", () => {
    it("creates the user and answers Auth0's body (JSON and form), logged ss, and the user can log in", async () => {
      const email = freshEmail();
      const res = await signup({
        email: email.toUpperCase(),
        password: "correct horse 1",
        username: "johnny_" + emailCounter,
        given_name: "John",
        family_name: "Doe",
        name: "John Doe",
        nickname: "johnny",
        picture: "https://example.org/jdoe.png",
        user_metadata: { plan: "silver", color: "red" },
      });
      expect(res.status).toBe(200);
      const body = res.body as Record<string, unknown>;
      expect(body).toEqual({
        _id: expect.stringMatching(/^[0-9a-f]{24}$/),
        email_verified: false,
        email,
        username: "johnny_" + emailCounter,
        given_name: "John",
        family_name: "Doe",
        name: "John Doe",
        nickname: "johnny",
        picture: "https://example.org/jdoe.png",
        user_metadata: { plan: "silver", color: "red" },
      });
      expect(res.logs.map((l) => l.type)).toEqual(["ss"]);
      expect(res.logs[0]).toMatchObject({
        user_id: `auth0|${String(body._id)}`,
        connection: db(),
        client_id: fx.clients.spa.clientId,
      });
      expect(JSON.stringify(res.logs)).not.toContain("correct horse 1");
      const stored = await findUserByUserId(deps.db, `auth0|${String(body._id)}`);
      expect(stored).toMatchObject({
        email,
        givenName: "John",
        userMetadata: { plan: "silver", color: "red" },
        emailVerified: false,
      });
      expect((await login(email, "correct horse 1")).status).toBe(200);

      const form = await signup(
        { email: freshEmail(), password: "correct horse 2", user_metadata: { a: "b" } },
        { encoding: "form" },
      );
      expect(form.status).toBe(200);
      expect(form.body).toMatchObject({ email_verified: false, user_metadata: { a: "b" } });
    });

    it("answers user_exists for a taken email, changes nothing about that user, and hashes either way", async () => {
      const user = await createFixtureUser(deps, fx, {
        connection: "database",
        password: "original-pass-1",
        profile: { name: "Orig" },
      });
      const before = await findUserByUserId(deps.db, user.userId);
      const hash = vi.spyOn(deps.hasher, "hash");
      const res = await signup({
        email: user.email.toUpperCase(),
        password: "attacker-pass-1",
        name: "Mallory",
      });
      expect(hash).toHaveBeenCalledTimes(1);
      hash.mockRestore();
      expect({ status: res.status, body: res.body }).toEqual({
        status: 400,
        body: {
          name: "BadRequestError",
          code: "user_exists",
          description: "The user already exists.",
          statusCode: 400,
        },
      });
      expect(res.logs.map((l) => [l.type, l.description])).toEqual([["fs", "The user already exists."]]);
      const after = await findUserByUserId(deps.db, user.userId);
      expect(after).toEqual(before);
      expect((await login(user.email, "original-pass-1")).status).toBe(200);
      expect((await login(user.email, "attacker-pass-1")).status).toBe(403);
      expect(sent).toEqual([]);
    });

    it("refuses a weak password with Auth0's invalid_password body", async () => {
      const res = await signup({ email: freshEmail(), password: "short" });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        name: "PasswordStrengthError",
        message: "Password is too weak",
        code: "invalid_password",
        description: { rules: expect.any(Array), verified: false },
        policy: expect.any(String),
        statusCode: 400,
      });
      expect(res.logs.map((l) => l.type)).toEqual(["fs"]);
    });

    it("answers each malformed signup with its error and no user", async () => {
      const cases: [Record<string, unknown>, number, unknown][] = [
        [
          { password: "long-enough-1" },
          400,
          {
            name: "BadRequestError",
            code: "invalid_parameter",
            description: "Missing required parameter: email",
            statusCode: 400,
          },
        ],
        [
          { email: freshEmail() },
          400,
          {
            name: "BadRequestError",
            code: "invalid_parameter",
            description: "Missing required parameter: password",
            statusCode: 400,
          },
        ],
        [
          { email: "not-an-email", password: "long-enough-1" },
          400,
          {
            name: "BadRequestError",
            code: "invalid_signup",
            description: "Invalid sign up",
            statusCode: 400,
          },
        ],
        [
          {
            email: freshEmail(),
            password: "long-enough-1",
            user_metadata: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, "v"])),
          },
          400,
          expect.objectContaining({
            code: "invalid_parameter",
            description: expect.stringContaining("user_metadata"),
          }),
        ],
        [
          { email: freshEmail(), password: "long-enough-1", user_metadata: { n: 1 } },
          400,
          expect.objectContaining({ code: "invalid_parameter" }),
        ],
        [
          { email: freshEmail(), password: "long-enough-1", user_metadata: { long: "x".repeat(501) } },
          400,
          expect.objectContaining({ code: "invalid_parameter" }),
        ],
        [
          { email: freshEmail(), password: "long-enough-1", user_metadata: ["a"] },
          400,
          expect.objectContaining({ code: "invalid_parameter" }),
        ],
        [
          { email: freshEmail(), password: "long-enough-1", connection: "Nope" },
          400,
          { error: "invalid_request", error_description: "the connection was disabled" },
        ],
        [
          { email: freshEmail(), password: "long-enough-1", client_id: "unknown-client" },
          400,
          { error: "invalid_request", error_description: "the connection was disabled" },
        ],
        [
          { email: freshEmail(), password: "long-enough-1", connection: fx.connections.partners.name },
          400,
          { error: "invalid_request", error_description: "the connection was disabled" },
        ],
      ];
      for (const [body, status, expected] of cases) {
        const res = await signup(body);
        expect({ status: res.status, body: res.body }, JSON.stringify(body)).toEqual({
          status,
          body: expected,
        });
        expect(res.logs.map((l) => l.type)).toEqual(["fs"]);
      }
    });

    it("refuses signups when the connection disables them", async () => {
      await upsertConnectionByName(
        deps.db,
        { name: "Customers", options: { disable_signup: true } },
        { connectionId: "x" },
        deps.clock.now(),
      );
      deps.config.clear();
      const res = await callSignup(deps, {
        body: {
          client_id: fx.clients.spa.clientId,
          connection: "Customers",
          email: freshEmail(),
          password: "long-enough-1",
        },
        socketIp: freshIp(),
      });
      expect({ status: res.status, body: res.body }).toEqual({
        status: 400,
        body: { error: "public signup is disabled" },
      });
      expect(res.logs.map((l) => l.type)).toEqual(["fs"]);
    });

    it("refuses a breached password at signup when breached-password detection blocks (signup_pwd_leak)", async () => {
      await updateAttackProtection(deps, OWNER, "breached-password-detection", {
        enabled: true,
        shields: ["block"],
      });
      deps.config.clear();
      const email = freshEmail();
      const res = await signup({ email, password: "AUTH0-TEST-signup-1" });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: "password_leaked", statusCode: 400 });
      expect(res.logs.map((l) => l.type)).toEqual(["signup_pwd_leak"]);
      expect(await findUserByIdentifier(deps.db, fx.connections.database.id, email)).toBeNull();
    });

    it("answers username_exists for a taken username on a connection that requires usernames", async () => {
      const { id } = await upsertConnectionByName(
        deps.db,
        { name: "Usernames", strategy: "auth0", options: { requires_username: true } },
        { connectionId: "con_usernames01" },
        deps.clock.now(),
        [fx.clients.spa.id],
      );
      deps.config.clear();
      const username = `taken_${emailCounter}`;
      const first = await signup({
        connection: "Usernames",
        email: freshEmail(),
        username,
        password: "long-enough-1",
      });
      expect(first.status).toBe(200);
      const email = freshEmail();
      const res = await signup({ connection: "Usernames", email, username, password: "long-enough-2" });
      expect({ status: res.status, body: res.body }).toEqual({
        status: 400,
        body: {
          name: "BadRequestError",
          code: "username_exists",
          description: "The username already exists.",
          statusCode: 400,
        },
      });
      expect(res.logs.map((l) => [l.type, l.description])).toEqual([["fs", "The username already exists."]]);
      expect(await findUserByIdentifier(deps.db, id, email)).toBeNull();
    });

    it("answers a bad username, an over-long profile field and a non-http(s) picture with Auth0's bodies", async () => {
      const cases: [Record<string, unknown>, unknown][] = [
        [
          { username: "has space" },
          {
            name: "BadRequestError",
            code: "invalid_signup",
            description: "Invalid sign up",
            statusCode: 400,
          },
        ],
        [
          { username: "x".repeat(129) },
          {
            name: "BadRequestError",
            code: "invalid_signup",
            description: "Invalid sign up",
            statusCode: 400,
          },
        ],
        [
          { given_name: "g".repeat(301) },
          {
            name: "BadRequestError",
            code: "invalid_parameter",
            description: "given_name must be at most 300 characters.",
            statusCode: 400,
          },
        ],
        [
          { picture: `https://example.org/${"p".repeat(2000)}` },
          {
            name: "BadRequestError",
            code: "invalid_parameter",
            description: "picture must be at most 2000 characters.",
            statusCode: 400,
          },
        ],
        [
          { picture: "javascript:alert(1)" },
          {
            name: "BadRequestError",
            code: "invalid_parameter",
            description: "picture must be an http(s) URL.",
            statusCode: 400,
          },
        ],
        [
          { picture: "data:image/png;base64,AAAA" },
          {
            name: "BadRequestError",
            code: "invalid_parameter",
            description: "picture must be an http(s) URL.",
            statusCode: 400,
          },
        ],
      ];
      for (const [fields, expected] of cases) {
        const email = freshEmail();
        const res = await signup({ email, password: "long-enough-1", ...fields });
        expect({ status: res.status, body: res.body }, JSON.stringify(fields).slice(0, 80)).toEqual({
          status: 400,
          body: expected,
        });
        expect(res.logs.map((l) => l.type)).toEqual(["fs"]);
        expect(await findUserByIdentifier(deps.db, fx.connections.database.id, email)).toBeNull();
      }
    });

    it("applies the pre-user-registration stage's breached-password shields, else the login's block", async () => {
      const breached = async (body: Record<string, unknown>) => {
        await updateAttackProtection(deps, OWNER, "breached-password-detection", body);
        deps.config.clear();
        sent.length = 0;
        const email = freshEmail();
        const res = await signup({ email, password: `AUTH0-TEST-${emailCounter}` });
        const admin = sent.filter((m) => m.kind === "breached_password_admin");
        const user = await findUserByIdentifier(deps.db, fx.connections.database.id, email);
        return { res, admin, user, email };
      };
      // No stage set: the login's block refuses the signup (as before stages existed), no admin message.
      const fallback = await breached({ enabled: true, shields: ["block", "admin_notification"] });
      expect(fallback.res.status).toBe(400);
      expect(fallback.res.logs.map((l) => l.type)).toEqual(["signup_pwd_leak"]);
      expect(fallback.admin).toEqual([]);
      // The stage lets it through although the login blocks.
      const open = await breached({ stage: { "pre-user-registration": { shields: [] } } });
      expect(open.res.status).toBe(200);
      expect(open.res.logs.map((l) => l.type)).toEqual(["ss"]);
      // The stage only notifies: the user is created, the detection logged and the administrator told.
      const notify = await breached({
        stage: { "pre-user-registration": { shields: ["admin_notification"] } },
      });
      expect(notify.res.status).toBe(200);
      expect(notify.user).not.toBeNull();
      expect(notify.res.logs.map((l) => l.type).sort()).toEqual(["signup_pwd_leak", "ss"]);
      expect(notify.res.logs.find((l) => l.type === "signup_pwd_leak")?.details).toEqual({ blocked: false });
      expect(notify.admin.map((m) => m.subject)).toEqual(["Portcullis: signup with a breached password"]);
      expect(notify.admin[0]!.text).toContain(notify.email);
      expect(notify.admin[0]!.text).not.toContain("AUTH0-TEST-");
      // The stage blocks and notifies while the login does neither.
      const block = await breached({
        shields: [],
        stage: { "pre-user-registration": { shields: ["block", "admin_notification"] } },
      });
      expect(block.res.status).toBe(400);
      expect(block.res.body).toMatchObject({ code: "password_leaked" });
      expect(block.res.logs.map((l) => l.type)).toEqual(["signup_pwd_leak"]);
      expect(block.user).toBeNull();
      expect(block.admin.map((m) => m.subject)).toEqual(["Portcullis: signup with a breached password"]);
      expect(block.admin[0]!.text).toContain("it was blocked");
      // Detection off: no stage applies.
      const off = await breached({ enabled: false });
      expect(off.res.status).toBe(200);
      expect(off.admin).toEqual([]);
    });

    it("in monitoring mode (no block shield) lets signups over the IP limit through, with one limit_mu", async () => {
      await updateAttackProtection(deps, OWNER, "suspicious-ip-throttling", {
        shields: ["admin_notification"],
        stage: { "pre-user-registration": { max_attempts: 2, rate: 60_000 } },
      });
      deps.config.clear();
      const ip = freshIp();
      const results = [];
      for (let i = 0; i < 4; i++)
        results.push(await signup({ email: freshEmail(), password: "long-enough-1" }, { ip }));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect(results.map((r) => r.logs.map((l) => l.type).sort())).toEqual([
        ["ss"],
        ["ss"],
        ["limit_mu", "ss"],
        ["ss"],
      ]);
      expect(results[2]!.logs.find((l) => l.type === "limit_mu")).toMatchObject({
        ip,
        description: `Suspicious IP ${ip} exceeded 2 signups (monitoring only)`,
        details: {
          flow: "pre-user-registration",
          monitoring: true,
          max_attempts: 2,
          rate: 60_000,
          blocked_ip: ip,
        },
      });
    });

    it("throttles signups per IP at the pre-user-registration stage (429, one limit_mu)", async () => {
      await updateAttackProtection(deps, OWNER, "suspicious-ip-throttling", {
        stage: { "pre-user-registration": { max_attempts: 2, rate: 60_000 } },
      });
      deps.config.clear();
      const ip = freshIp();
      expect((await signup({ email: freshEmail(), password: "long-enough-1" }, { ip })).status).toBe(200);
      expect((await signup({ email: freshEmail(), password: "long-enough-1" }, { ip })).status).toBe(200);
      const third = await signup({ email: freshEmail(), password: "long-enough-1" }, { ip });
      expect({ status: third.status, body: third.body }).toEqual({
        status: 429,
        body: {
          error: "too_many_attempts",
          error_description:
            "We have detected suspicious login behavior and further attempts will be blocked. Please contact the administrator.",
        },
      });
      expect(third.logs.map((l) => l.type)).toEqual(["limit_mu"]);
      const fourth = await signup({ email: freshEmail(), password: "long-enough-1" }, { ip });
      expect(fourth.status).toBe(429);
      expect(fourth.logs).toEqual([]);
      // Another IP is not affected; the bucket refills with time.
      expect((await signup({ email: freshEmail(), password: "long-enough-1" })).status).toBe(200);
      deps.clock.advance(60_000);
      expect((await signup({ email: freshEmail(), password: "long-enough-1" }, { ip })).status).toBe(200);
    });

    it("mails a verification link; following it (POST) verifies the email once (sv, then fv)", async () => {
      const email = freshEmail();
      const res = await signup({ email, password: "long-enough-1" });
      expect(res.status).toBe(200);
      const ticket = linkIn(
        sent.find((m) => m.kind === "verify_email" && m.to === email),
        "/verify-email",
      );
      const page = await showVerifyEmailPage(pageGet("/verify-email", ticket), deps);
      const html = await page.text();
      expect(page.status).toBe(200);
      expect(html).toContain('<form method="post" action="/verify-email">');
      // Opening the page verified nothing.
      expect((await findUserByIdentifier(deps.db, fx.connections.database.id, email))!.emailVerified).toBe(
        false,
      );
      const form = { ticket, form_token: formTokenOf(html) };
      const ok = await submitVerifyEmailPage(pagePost("/verify-email", form), deps);
      expect(ok.status).toBe(200);
      expect((await findUserByIdentifier(deps.db, fx.connections.database.id, email))!.emailVerified).toBe(
        true,
      );
      const again = await submitVerifyEmailPage(pagePost("/verify-email", form), deps);
      expect(again.status).toBe(400);
      const types = (await listLogs(deps.db, { take: 20 })).map((l) => l.type);
      expect(types).toContain("sv");
      expect(types).toContain("fv");
    });

    it("sends no verification mail when the connection turns it off", async () => {
      await upsertConnectionByName(
        deps.db,
        { name: "Employees", options: { send_verification_email: false } },
        { connectionId: "x" },
        deps.clock.now(),
      );
      deps.config.clear();
      const res = await callSignup(deps, {
        body: {
          client_id: fx.clients.spa.clientId,
          connection: "Employees",
          email: freshEmail(),
          password: "long-enough-1",
        },
        socketIp: freshIp(),
      });
      expect(res.status).toBe(200);
      expect(sent).toEqual([]);
    });
  });

  describe("change_password", () => {
    let user: TFixtureUser;
    beforeEach(async () => {
      user = await createFixtureUser(deps, fx, { connection: "database", password: "old-password-1" });
    });

    it("answers Auth0's sentence for known and unknown emails alike; only the known one gets a mail (scpr / fcpr)", async () => {
      const known = await changePassword(user.email);
      const unknown = await changePassword(freshEmail());
      for (const r of [known, unknown]) {
        expect({ status: r.status, text: r.text, type: r.headers.get("content-type") }).toEqual({
          status: 200,
          text: RESET_SENT,
          type: "text/plain; charset=utf-8",
        });
      }
      expect(known.logs.map((l) => l.type)).toEqual(["scpr"]);
      expect(unknown.logs.map((l) => l.type)).toEqual(["fcpr"]);
      expect(sent.map((m) => [m.kind, m.to])).toEqual([["password_reset", user.email]]);
      // The outbox never shows a working link.
      const outbox = await deps.db.all<{ text: string }>(
        `SELECT "text" FROM "Notification" WHERE "kind" = 'password_reset'`,
      );
      expect(outbox.every((r) => r.text.includes("ticket=[redacted]"))).toBe(true);
    });

    it("resets through the hosted page once: new password works, old one and its refresh tokens do not, link refused after", async () => {
      const first = await callToken(deps, {
        params: {
          ...realmParams(fx.clients.web, { email: user.email, password: "old-password-1" }, db()),
          scope: "openid offline_access",
          audience: fx.apis.orders.identifier,
        },
      });
      expect(first.body.refresh_token).toEqual(expect.any(String));
      const ticket = await requestReset(user);
      const page = await showResetPasswordPage(pageGet("/reset-password", ticket), deps);
      const html = await page.text();
      expect(page.status).toBe(200);
      expect(page.headers.get("referrer-policy")).toBe("same-origin");
      expect(html).toMatch(/<label for="password">New password<\/label>/);
      // Showing the page twice (a mail scanner, then the user) changes nothing.
      expect((await showResetPasswordPage(pageGet("/reset-password", ticket), deps)).status).toBe(200);
      const done = await submitReset(ticket, "new-password-2");
      expect(done.status).toBe(200);
      expect(done.html).toContain("Password changed");
      expect((await login(user.email, "new-password-2")).status).toBe(200);
      expect((await login(user.email, "old-password-1")).status).toBe(403);
      const refreshed = await callToken(deps, {
        params: {
          grant_type: "refresh_token",
          refresh_token: String(first.body.refresh_token),
          client_id: fx.clients.web.clientId,
          client_secret: fx.clients.web.secret,
        },
      });
      expect(refreshed.status).toBe(403);
      const logs = await listLogs(deps.db, { userId: user.userId, take: 50 });
      expect(logs.map((l) => l.type)).toContain("scp");
      expect(JSON.stringify(logs)).not.toContain("new-password-2");
      // Used up: the page and the form both refuse it now.
      expect((await showResetPasswordPage(pageGet("/reset-password", ticket), deps)).status).toBe(400);
      const replay = await submitResetPasswordPage(
        pagePost("/reset-password", {
          ticket,
          form_token: formTokenOf(html),
          password: "third-password-3",
          password_confirm: "third-password-3",
        }),
        deps,
      );
      expect(replay.status).toBe(400);
      expect((await login(user.email, "third-password-3")).status).toBe(403);
    });

    it("refuses an expired link (5 days)", async () => {
      const ticket = await requestReset(user);
      deps.clock.advance(ACCOUNT_TICKET_TTL_MS);
      expect((await showResetPasswordPage(pageGet("/reset-password", ticket), deps)).status).toBe(400);
      const res = await submitResetPasswordPage(
        pagePost("/reset-password", {
          ticket,
          form_token: "x",
          password: "new-password-2",
          password_confirm: "new-password-2",
        }),
        deps,
      );
      expect(res.status).toBe(400);
      expect((await login(user.email, "old-password-1")).status).toBe(200);
    });

    it("refuses a forged form token or a cross-site post, and keeps the link for the real form", async () => {
      const ticket = await requestReset(user);
      const forged = await submitResetPasswordPage(
        pagePost("/reset-password", {
          ticket,
          form_token: "forged",
          password: "new-password-2",
          password_confirm: "new-password-2",
        }),
        deps,
      );
      expect(forged.status).toBe(400);
      const html = await (await showResetPasswordPage(pageGet("/reset-password", ticket), deps)).text();
      const crossSite = await submitResetPasswordPage(
        pagePost(
          "/reset-password",
          {
            ticket,
            form_token: formTokenOf(html),
            password: "new-password-2",
            password_confirm: "new-password-2",
          },
          { origin: "https://evil.example" },
        ),
        deps,
      );
      expect(crossSite.status).toBe(403);
      expect((await login(user.email, "old-password-1")).status).toBe(200);
      expect((await submitReset(ticket, "new-password-2")).status).toBe(200);
    });

    it("shows the form again with the reason for mismatched or weak passwords (fcp) and keeps the link", async () => {
      const ticket = await requestReset(user);
      const mismatch = await submitReset(ticket, "new-password-2", "new-password-3");
      expect(mismatch.status).toBe(400);
      expect(mismatch.html).toContain('role="alert"');
      expect(mismatch.html).toContain("The passwords do not match.");
      const weak = await submitReset(ticket, "short");
      expect(weak.status).toBe(400);
      expect(weak.html).toContain("Password is too weak: At least 8 characters in length");
      const fcp = await listLogs(deps.db, { type: "fcp", userId: user.userId });
      expect(fcp).toHaveLength(2);
      expect((await submitReset(ticket, "new-password-2")).status).toBe(200);
    });

    it("a reset lifts the user's brute-force block (ublkdu)", async () => {
      await updateAttackProtection(deps, OWNER, "brute-force-protection", { max_attempts: 2 });
      deps.config.clear();
      const ip = freshIp();
      const wrong = () =>
        callToken(deps, {
          params: passwordParams(fx.clients.web, { email: user.email, password: "wrong-password" }),
          socketIp: ip,
        });
      await wrong();
      await wrong();
      const blocked = await callToken(deps, {
        params: passwordParams(fx.clients.web, { email: user.email, password: "old-password-1" }),
        socketIp: ip,
      });
      expect(blocked.status).toBe(429);
      const ticket = await requestReset(user);
      expect((await submitReset(ticket, "new-password-2")).status).toBe(200);
      const after = await callToken(deps, {
        params: passwordParams(fx.clients.web, { email: user.email, password: "new-password-2" }),
        socketIp: ip,
      });
      expect(after.status).toBe(200);
      expect(
        (await listLogs(deps.db, { type: "ublkdu", take: 100 })).some((l) => l.user_id === user.userId),
      ).toBe(true);
    });

    it("refuses a reset to a password in the user's history (the signup password counts)", async () => {
      const email = freshEmail();
      expect((await signup({ email, password: "first-Password-1" })).status).toBe(200);
      const ticket = await requestReset({ email });
      const same = await submitReset(ticket, "first-Password-1");
      expect(same.status).toBe(400);
      expect(same.html).toContain("Password has previously been used");
      expect((await submitReset(ticket, "second-Password-2")).status).toBe(200);
      expect((await login(email, "second-Password-2")).status).toBe(200);
    });

    it("a newer reset retires older links", async () => {
      const older = await requestReset(user);
      deps.clock.advance(1000);
      const newer = await requestReset(user);
      expect((await submitReset(newer, "new-password-2")).status).toBe(200);
      expect((await showResetPasswordPage(pageGet("/reset-password", older), deps)).status).toBe(400);
    });

    it("limits reset mails per user and per IP; over the limit the answer is the same and no mail goes out", async () => {
      for (let i = 0; i < 3; i++) {
        deps.clock.advance(1000);
        expect((await changePassword(user.email)).text).toBe(RESET_SENT);
      }
      expect(sent.filter((m) => m.to === user.email)).toHaveLength(3);
      deps.clock.advance(1000);
      const over = await changePassword(user.email);
      expect({ status: over.status, text: over.text }).toEqual({ status: 200, text: RESET_SENT });
      expect(over.logs.map((l) => [l.type, l.description])).toEqual([
        ["fcpr", "Too many password reset requests for this user"],
      ]);
      expect(sent.filter((m) => m.to === user.email)).toHaveLength(3);

      const ip = freshIp();
      for (let i = 0; i < 10; i++) await changePassword(freshEmail(), ip);
      const other = await createFixtureUser(deps, fx, { connection: "database", password: "old-password-1" });
      sent.length = 0;
      const fromFlood = await changePassword(other.email, ip);
      expect(fromFlood.text).toBe(RESET_SENT);
      expect(fromFlood.logs.map((l) => l.description)).toEqual([
        "Too many password reset requests from this IP",
      ]);
      expect(sent).toEqual([]);
    });

    it("the reset page applies the pre-change-password stage's breached-password shields, else the login's block", async () => {
      const ticket = await requestReset(user);
      const attempt = async (body: Record<string, unknown>, password: string) => {
        await updateAttackProtection(deps, OWNER, "breached-password-detection", body);
        deps.config.clear();
        sent.length = 0;
        const before = new Set((await listLogs(deps.db, { take: 1000 })).map((l) => l.log_id));
        const res = await submitReset(ticket, password);
        const logs = (await listLogs(deps.db, { take: 1000 })).filter((l) => !before.has(l.log_id));
        return { ...res, logs, admin: sent.filter((m) => m.kind === "breached_password_admin") };
      };
      // No stage set: the login's block refuses the new password, no admin message.
      const fallback = await attempt(
        { enabled: true, shields: ["block", "admin_notification"] },
        "AUTH0-TEST-reset-1",
      );
      expect(fallback.status).toBe(400);
      expect(fallback.html).toContain("appeared in a data breach");
      expect(fallback.logs.map((l) => l.type)).toEqual(["reset_pwd_leak"]);
      expect(fallback.admin).toEqual([]);
      // The stage blocks and notifies while the login does neither.
      const block = await attempt(
        { shields: [], stage: { "pre-change-password": { shields: ["block", "admin_notification"] } } },
        "AUTH0-TEST-reset-2",
      );
      expect(block.status).toBe(400);
      expect(block.logs.map((l) => l.type)).toEqual(["reset_pwd_leak"]);
      expect(block.admin.map((m) => m.subject)).toEqual([
        "Portcullis: password reset with a breached password",
      ]);
      expect(block.admin[0]!.text).toContain(user.email);
      // The stage only notifies: the password is set, the detection logged with the change.
      const notify = await attempt(
        { shields: ["block"], stage: { "pre-change-password": { shields: ["admin_notification"] } } },
        "AUTH0-TEST-reset-3",
      );
      expect(notify.status).toBe(200);
      expect(notify.logs.map((l) => l.type).sort()).toEqual(["reset_pwd_leak", "scp"]);
      expect(notify.logs.find((l) => l.type === "reset_pwd_leak")?.details).toEqual({ blocked: false });
      expect(notify.admin).toHaveLength(1);
    });

    it("counts reset requests per IPv6 network at the tenant's ipv6_prefix_length", async () => {
      const flood = async (from: string) => {
        for (let i = 0; i < 10; i++) await changePassword(freshEmail(), from);
      };
      await updateAttackProtection(deps, OWNER, "suspicious-ip-throttling", { ipv6_prefix_length: 64 });
      deps.config.clear();
      await flood("2001:db8:17:1::a");
      const shared = await changePassword(user.email, "2001:db8:17:1::b");
      expect(shared.logs.map((l) => l.description)).toEqual([
        "Too many password reset requests from this IP",
      ]);
      await updateAttackProtection(deps, OWNER, "suspicious-ip-throttling", { ipv6_prefix_length: 128 });
      deps.config.clear();
      await flood("2001:db8:17:2::a");
      const own = await changePassword(user.email, "2001:db8:17:2::b");
      expect(own.logs.map((l) => [l.type, l.description])).toEqual([["scpr", "Password reset mail sent"]]);
    });

    it("answers malformed requests with a 400 in Auth0's shape", async () => {
      const missing = await callChangePassword(deps, {
        body: { client_id: fx.clients.spa.clientId, connection: db() },
      });
      expect({ status: missing.status, body: missing.body }).toEqual({
        status: 400,
        body: {
          name: "BadRequestError",
          code: "invalid_parameter",
          description: "Missing required parameter: email",
          statusCode: 400,
        },
      });
      const badType = await callChangePassword(deps, { contentType: "text/plain", rawBody: "x" });
      expect(badType.status).toBe(400);
      expect(badType.body).toMatchObject({ error: "invalid_request" });
    });
  });
});
