import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { testDatabaseKinds } from "../../testing/test-deps.ts";
import { UNTHROTTLED_MANAGEMENT_API, useSeededDeps } from "../../testing/use-deps.ts";
import { callToken, passwordParams } from "../../testing/token-calls.ts";
import {
  managementToken,
  startManagementServer,
  type TManagementServer,
} from "../../testing/management-calls.ts";
import { listLogs } from "../../store/logs.ts";
import { findUserByUserId } from "../../store/users.ts";
import { insertAuthenticator } from "../../store/mfa-authenticators.ts";
import { listNotifications } from "../../admin/protection/list-notifications.ts";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const PASSWORD = "Plum-Tree-Harbour-42";

describe.each(testDatabaseKinds())("Management API users (%s)", (kind) => {
  const t = useSeededDeps(kind, UNTHROTTLED_MANAGEMENT_API);
  let api: TManagementServer;
  beforeAll(async () => {
    api = await startManagementServer(t.deps);
  });
  afterAll(async () => {
    await api.close();
  });

  /** A token holding exactly `scopes` (the client's grant is narrowed to them, so earlier tokens lose the rest). */
  const tok = (...scopes: string[]) => managementToken(t.deps, t.fx.clients.noPassword, scopes);
  const call = async (method: string, path: string, scopes: string[], body?: unknown) =>
    api.call(method, path, { token: await tok(...scopes), body });
  const userPath = (id: string) => `/api/v2/users/${encodeURIComponent(id)}`;
  const login = (email: string, password: string) =>
    callToken(t.deps, { params: passwordParams(t.fx.clients.web, { email, password }) });
  const newEmail = () => `u${randomBytes(5).toString("hex")}@Example.COM`;
  async function createUser(extra: Record<string, unknown> = {}) {
    const res = await call("POST", "/api/v2/users", ["create:users"], {
      connection: t.fx.connections.database.name,
      email: newEmail(),
      password: PASSWORD,
      verify_email: false,
      ...extra,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as Record<string, unknown> & { user_id: string; email: string };
  }
  async function sapiFor(target: string) {
    return (await listLogs(t.deps.db, { type: "sapi", take: 500 })).filter(
      (l) => (l.details as { target?: string }).target === target,
    );
  }

  it("GET /users/{id} answers Auth0's user object, field by field, never the hash", async () => {
    const alice = t.fx.users.alice;
    const stored = (await findUserByUserId(t.deps.db, alice.userId))!;
    const res = await call("GET", userPath(alice.userId), ["read:users"]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      user_id: alice.userId,
      email: "alice@example.com",
      email_verified: true,
      username: "alice",
      name: "Alice Liddell",
      nickname: "alice",
      given_name: "Alice",
      family_name: "Liddell",
      created_at: stored.createdAt.toISOString(),
      updated_at: stored.updatedAt.toISOString(),
      identities: [
        {
          connection: t.fx.connections.database.name,
          user_id: alice.userId.slice("auth0|".length),
          provider: "auth0",
          isSocial: false,
        },
      ],
      logins_count: stored.loginsCount,
      ...(stored.lastLogin ? { last_login: stored.lastLogin.toISOString() } : {}),
      ...(stored.lastIp ? { last_ip: stored.lastIp } : {}),
      ...(stored.lastPasswordReset ? { last_password_reset: stored.lastPasswordReset.toISOString() } : {}),
    });
    expect(JSON.stringify(res.body)).not.toContain("argon2");
    // The admin-blocked fixture user says so; others have no `blocked` at all.
    const blocked = await call("GET", userPath(t.fx.users.blocked.userId), ["read:users"]);
    expect(blocked.body).toMatchObject({ blocked: true, email: "mallory@example.com" });
    expect(res.body).not.toHaveProperty("blocked");

    const picked = await call("GET", `${userPath(alice.userId)}?fields=email,user_id`, ["read:users"]);
    expect(picked.body).toEqual({ email: "alice@example.com", user_id: alice.userId });
    const dropped = await call(
      "GET",
      `${userPath(alice.userId)}?fields=identities,created_at,updated_at,logins_count,last_login,last_ip,last_password_reset&include_fields=false`,
      ["read:users"],
    );
    expect(Object.keys(dropped.body as object).sort()).toEqual(
      [
        "email",
        "email_verified",
        "family_name",
        "given_name",
        "name",
        "nickname",
        "user_id",
        "username",
      ].sort(),
    );
    expect(
      (await call("GET", `${userPath(alice.userId)}?include_fields=maybe`, ["read:users"])).body,
    ).toMatchObject({ statusCode: 400, errorCode: "invalid_query_string" });
  });

  it("answers 404 inexistent_user for an unknown id and 403 insufficient_scope without read:users", async () => {
    for (const id of ["auth0|nope", "%", "a%00b", "x".repeat(10_000), "../../etc"]) {
      const res = await api.call(
        "GET",
        `/api/v2/users/${id === "%" || id === "a%00b" ? id : encodeURIComponent(id)}`,
        {
          token: await tok("read:users"),
        },
      );
      expect(res.status, id.slice(0, 20)).toBe(404);
      if (id !== "%" && id !== "a%00b")
        expect(res.body).toEqual({
          statusCode: 404,
          error: "Not Found",
          message: "The user does not exist.",
          errorCode: "inexistent_user",
        });
    }
    expect(await call("GET", userPath(t.fx.users.alice.userId), ["update:users"])).toMatchObject({
      status: 403,
      body: {
        statusCode: 403,
        error: "Forbidden",
        message: "Insufficient scope, expected any of: read:users",
        errorCode: "insufficient_scope",
      },
    });
  });

  it("POST /users creates a user (201, Auth0's object), audited as the client; the password logs in", async () => {
    const email = newEmail();
    const res = await call("POST", "/api/v2/users", ["create:users"], {
      connection: t.fx.connections.database.name,
      email,
      password: PASSWORD,
      given_name: "Ada",
      family_name: "Lovelace",
      name: "Ada Lovelace",
      nickname: "ada",
      picture: "https://example.com/ada.png",
      user_metadata: { theme: "dark" },
      app_metadata: { plan: "gold" },
      email_verified: true,
      user_id: "ada-1815",
    });
    expect(res.status).toBe(201);
    const body = res.body as Record<string, unknown>;
    expect(body).toEqual({
      user_id: "auth0|ada-1815",
      email: email.toLowerCase(),
      email_verified: true,
      name: "Ada Lovelace",
      nickname: "ada",
      given_name: "Ada",
      family_name: "Lovelace",
      picture: "https://example.com/ada.png",
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
      identities: [
        {
          connection: t.fx.connections.database.name,
          user_id: "ada-1815",
          provider: "auth0",
          isSocial: false,
        },
      ],
      user_metadata: { theme: "dark" },
      app_metadata: { plan: "gold" },
      logins_count: 0,
    });
    const [audit] = await sapiFor("auth0|ada-1815");
    expect(audit).toMatchObject({
      type: "sapi",
      client_id: t.fx.clients.noPassword.clientId,
      details: {
        action: "create user",
        actor: { kind: "client", client_id: t.fx.clients.noPassword.clientId },
      },
    });
    expect(JSON.stringify(audit)).not.toContain(PASSWORD);
    expect((await login(email, PASSWORD)).status).toBe(200);
    const after = await call("GET", userPath("auth0|ada-1815"), ["read:users"]);
    expect(after.body).toMatchObject({ logins_count: 1, last_login: expect.stringMatching(ISO) });

    // The same email again in the connection (any case), or the same user_id: Auth0's 409.
    for (const again of [{ email: email.toUpperCase() }, { email: newEmail(), user_id: "ada-1815" }])
      expect(
        await call("POST", "/api/v2/users", ["create:users"], {
          connection: t.fx.connections.database.name,
          password: PASSWORD,
          ...again,
        }),
      ).toMatchObject({
        status: 409,
        body: {
          statusCode: 409,
          error: "Conflict",
          message: "The user already exists.",
          errorCode: "auth0_idp_error",
        },
      });
    // No verification mail for a verified email or with verify_email false; one for an unverified email by default.
    const mailsTo = async (to: string) =>
      (
        await listNotifications(
          t.deps,
          { id: "o", email: "o@x", role: "owner" },
          { kind: "verify_email", take: 500 },
        )
      ).notifications.filter((n) => n.to === to);
    expect(await mailsTo(email.toLowerCase())).toHaveLength(0);
    const quiet = await createUser({ verify_email: false });
    expect(await mailsTo(quiet.email)).toHaveLength(0);
    const unverified = await createUser({ verify_email: undefined });
    expect(await mailsTo(unverified.email)).toHaveLength(1);
    // Created blocked: the user exists but cannot log in.
    const blocked = await createUser({ blocked: true });
    expect(blocked.blocked).toBe(true);
    expect((await login(blocked.email, PASSWORD)).status).not.toBe(200);
  });

  it("POST /users refuses bad bodies in Auth0's words, naming the property", async () => {
    const db = t.fx.connections.database.name;
    const cases: [unknown, number, string, string?][] = [
      [
        { email: newEmail(), password: PASSWORD },
        400,
        "Payload validation error: 'Missing required property: connection'.",
      ],
      [
        { connection: db, password: PASSWORD },
        400,
        "Payload validation error: 'Missing required property: email'.",
      ],
      [
        { connection: db, email: newEmail() },
        400,
        "Payload validation error: 'Missing required property: password'.",
      ],
      [
        { connection: "Nope", email: newEmail(), password: PASSWORD },
        400,
        "The connection does not exist.",
        "inexistent_connection",
      ],
      [
        { connection: db, email: newEmail(), password: PASSWORD, foo: 1 },
        400,
        "Payload validation error: 'Additional properties not allowed: foo'.",
      ],
      [
        { connection: db, email: "not-an-email", password: PASSWORD },
        400,
        "Payload validation error: 'Object didn't pass validation for format email: not-an-email' on property email.",
      ],
      [
        { connection: db, email: newEmail(), password: PASSWORD, email_verified: "yes" },
        400,
        "Payload validation error: 'Expected type boolean but found type string' on property email_verified.",
      ],
      [
        { connection: db, email: newEmail(), password: PASSWORD, user_metadata: [1] },
        400,
        "Payload validation error: 'Expected type object but found type array' on property user_metadata.",
      ],
      [
        { connection: db, email: newEmail(), password: PASSWORD, name: "n".repeat(301) },
        400,
        "Payload validation error: 'String is too long (301 chars), maximum 300' on property name.",
      ],
      [
        { connection: db, email: newEmail(), password: "abc" },
        400,
        "PasswordStrengthError: Password is too weak",
      ],
      [[1, 2], 400, "Payload validation error: 'Expected type object but found type array'."],
    ];
    for (const [body, status, message, errorCode] of cases) {
      const res = await call("POST", "/api/v2/users", ["create:users"], body);
      expect(res.status, message).toBe(status);
      expect(res.body, message).toEqual({
        statusCode: status,
        error: "Bad Request",
        message,
        ...(errorCode ? { errorCode } : message.startsWith("Payload") ? { errorCode: "invalid_body" } : {}),
      });
    }
    expect(await call("POST", "/api/v2/users", ["read:users"], { connection: db })).toMatchObject({
      status: 403,
      body: { message: "Insufficient scope, expected any of: create:users" },
    });
  });

  it("PATCH merges metadata one level deep, null deletes a key, {} empties it; audited as the client", async () => {
    const u = await createUser({
      user_metadata: { theme: "dark", address: { city: "Paris", zip: "75001" }, keep: 1 },
      app_metadata: { plan: "gold" },
    });
    const res = await call("PATCH", userPath(u.user_id), ["update:users"], {
      user_metadata: { theme: null, address: { city: "Lyon" }, lang: "fr" },
      app_metadata: { tier: 2 },
    });
    expect(res.status).toBe(200);
    expect((res.body as Record<string, unknown>).user_metadata).toEqual({
      address: { city: "Lyon" },
      keep: 1,
      lang: "fr",
    });
    expect((res.body as Record<string, unknown>).app_metadata).toEqual({ plan: "gold", tier: 2 });
    const audit = (await sapiFor(u.user_id)).find((l) => l.details?.action === "update user");
    expect(audit).toMatchObject({
      client_id: t.fx.clients.noPassword.clientId,
      details: { actor: { kind: "client" }, after: { app_metadata: { plan: "gold", tier: 2 } } },
    });
    // update:users_app_metadata alone may change the metadata, nothing else.
    const cleared = await call("PATCH", userPath(u.user_id), ["update:users_app_metadata"], {
      user_metadata: {},
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body).not.toHaveProperty("user_metadata");
    expect(
      await call("PATCH", userPath(u.user_id), ["update:users_app_metadata"], {
        name: "X",
        app_metadata: {},
      }),
    ).toMatchObject({
      status: 403,
      body: { message: "Insufficient scope, expected any of: update:users", errorCode: "insufficient_scope" },
    });
    // The merged document is over 16 KB: refused, nothing stored.
    const big = await call("PATCH", userPath(u.user_id), ["update:users"], {
      app_metadata: { blob: "x".repeat(17_000) },
    });
    expect(big).toMatchObject({ status: 400, body: { errorCode: "invalid_body" } });
    expect((big.body as { message: string }).message).toContain("on property app_metadata");
    expect((await findUserByUserId(t.deps.db, u.user_id))!.appMetadata).toEqual({ plan: "gold", tier: 2 });
  });

  it("PATCH profile fields: null unsets, email lower-cased and unverified, clashes are 409", async () => {
    const u = await createUser({ given_name: "Old", email_verified: true });
    const other = await createUser();
    const email = newEmail();
    const res = await call("PATCH", userPath(u.user_id), ["update:users"], {
      given_name: null,
      family_name: "New",
      email,
      connection: t.fx.connections.database.name,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ email: email.toLowerCase(), email_verified: false, family_name: "New" });
    expect(res.body).not.toHaveProperty("given_name");
    expect(
      await call("PATCH", userPath(u.user_id), ["update:users"], { email: other.email.toUpperCase() }),
    ).toMatchObject({ status: 409, body: { statusCode: 409, message: "The user already exists." } });
    for (const [body, message] of [
      [{ foo: 1 }, "Payload validation error: 'Additional properties not allowed: foo'."],
      [
        { blocked: "true" },
        "Payload validation error: 'Expected type boolean but found type string' on property blocked.",
      ],
      [
        { name: 7 },
        "Payload validation error: 'Expected type string but found type integer' on property name.",
      ],
      [
        { app_metadata: "x" },
        "Payload validation error: 'Expected type object but found type string' on property app_metadata.",
      ],
    ] as const) {
      expect(await call("PATCH", userPath(u.user_id), ["update:users"], body)).toMatchObject({
        status: 400,
        body: { statusCode: 400, error: "Bad Request", message, errorCode: "invalid_body" },
      });
    }
    expect(
      (await call("PATCH", userPath(u.user_id), ["update:users"], { connection: "employees-nope" })).status,
    ).toBe(400);
    expect(await call("PATCH", userPath("auth0|missing"), ["update:users"], { name: "x" })).toMatchObject({
      status: 404,
      body: { errorCode: "inexistent_user" },
    });
  });

  it("PATCH password: the policy applies, the new password logs in, the old one does not; audited", async () => {
    const u = await createUser();
    const next = "Quiet-Lantern-Meadow-77";
    expect(await call("PATCH", userPath(u.user_id), ["update:users"], { password: "short" })).toMatchObject({
      status: 400,
      body: { message: "PasswordStrengthError: Password is too weak" },
    });
    expect(
      (await call("PATCH", userPath(u.user_id), ["update:users"], { password: next, email: newEmail() }))
        .status,
    ).toBe(400);
    const res = await call("PATCH", userPath(u.user_id), ["update:users"], {
      password: next,
      connection: t.fx.connections.database.name,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user_id: u.user_id, last_password_reset: expect.stringMatching(ISO) });
    expect((await login(u.email, next)).status).toBe(200);
    expect((await login(u.email, PASSWORD)).status).not.toBe(200);
    const audit = (await sapiFor(u.user_id)).find((l) => l.details?.action === "set user password");
    expect(audit).toMatchObject({
      details: { actor: { kind: "client", client_id: t.fx.clients.noPassword.clientId } },
    });
    expect(JSON.stringify(audit)).not.toContain(next);
  });

  it("PATCH blocked true/false is the admin block, audited as block/unblock", async () => {
    const u = await createUser();
    const blocked = await call("PATCH", userPath(u.user_id), ["update:users"], { blocked: true });
    expect(blocked.body).toMatchObject({ blocked: true });
    expect((await login(u.email, PASSWORD)).status).not.toBe(200);
    const unblocked = await call("PATCH", userPath(u.user_id), ["update:users"], { blocked: false });
    expect(unblocked.body).not.toHaveProperty("blocked");
    expect((await login(u.email, PASSWORD)).status).toBe(200);
    const actions = (await sapiFor(u.user_id)).map((l) => l.details?.action);
    expect(actions).toEqual(expect.arrayContaining(["block user", "unblock user"]));
  });

  it("DELETE /users/{id}: 204, then 404; audited; needs delete:users", async () => {
    const u = await createUser();
    expect((await call("DELETE", userPath(u.user_id), ["update:users"])).status).toBe(403);
    const res = await call("DELETE", userPath(u.user_id), ["delete:users"]);
    expect(res.status).toBe(204);
    expect(res.body).toBeNull();
    expect((await call("GET", userPath(u.user_id), ["read:users"])).status).toBe(404);
    expect(await call("DELETE", userPath(u.user_id), ["delete:users"])).toMatchObject({
      status: 404,
      body: { message: "The user does not exist.", errorCode: "inexistent_user" },
    });
    expect((await sapiFor(u.user_id)).some((l) => l.details?.action === "delete user")).toBe(true);
    const sdu = (await listLogs(t.deps.db, { type: "sdu", take: 500 })).find((l) => l.user_id === u.user_id);
    expect(sdu?.details).toMatchObject({
      actor: { kind: "client", client_id: t.fx.clients.noPassword.clientId },
    });
    expect((await login(u.email, PASSWORD)).status).not.toBe(200);
  });

  it("GET /users-by-email: every connection's user with that email, in any case", async () => {
    const res = await call("GET", "/api/v2/users-by-email?email=DANA%40Acme.Test", ["read:users"]);
    expect(res.status).toBe(200);
    const list = res.body as { user_id: string; identities: { connection: string }[] }[];
    expect(list.map((u) => u.user_id).sort()).toEqual(
      [t.fx.users.danaEmployee.userId, t.fx.users.danaCustomer.userId].sort(),
    );
    expect(list.map((u) => u.identities[0]!.connection).sort()).toEqual(
      [t.fx.connections.employees.name, t.fx.connections.customers.name].sort(),
    );
    const picked = await call("GET", "/api/v2/users-by-email?email=dana%40acme.test&fields=user_id", [
      "read:users",
    ]);
    expect((picked.body as object[]).every((u) => Object.keys(u).join() === "user_id")).toBe(true);
    expect(
      (await call("GET", "/api/v2/users-by-email?email=dana%25%40acme.test", ["read:users"])).body,
    ).toEqual([]);
    expect(await call("GET", "/api/v2/users-by-email", ["read:users"])).toMatchObject({
      status: 400,
      body: { errorCode: "invalid_query_string" },
    });
    expect((await call("GET", "/api/v2/users-by-email?email=a%40b.c", ["update:users"])).status).toBe(403);
  });

  it("DELETE /users/{id}/authenticators resets MFA (multifactor gone), audited; 404 and 403 as Auth0", async () => {
    const u = await createUser();
    const stored = (await findUserByUserId(t.deps.db, u.user_id))!;
    await insertAuthenticator(t.deps.db, {
      id: `mfa_${randomBytes(6).toString("hex")}`,
      publicId: `totp|dev_${randomBytes(6).toString("hex")}`,
      userId: stored.id,
      type: "otp",
      secretEnc: null,
      codeHash: null,
      active: true,
      createdAt: t.deps.clock.now(),
    });
    expect((await call("GET", userPath(u.user_id), ["read:users"])).body).toMatchObject({
      multifactor: ["guardian"],
    });
    expect((await call("DELETE", `${userPath(u.user_id)}/authenticators`, ["read:users"])).status).toBe(403);
    const res = await call("DELETE", `${userPath(u.user_id)}/authenticators`, [
      "delete:guardian_enrollments",
    ]);
    expect(res.status).toBe(204);
    expect((await call("GET", userPath(u.user_id), ["read:users"])).body).not.toHaveProperty("multifactor");
    expect((await sapiFor(u.user_id)).find((l) => l.details?.action === "reset mfa")).toMatchObject({
      details: { actor: { kind: "client" }, before: { authenticators: 1 } },
    });
    expect(
      await call("DELETE", `${userPath("auth0|nope")}/authenticators`, ["delete:guardian_enrollments"]),
    ).toMatchObject({ status: 404, body: { errorCode: "inexistent_user" } });
  });

  it("never answers 5xx to malformed input", async () => {
    const u = await createUser();
    const token = await tok("read:users", "update:users", "create:users", "delete:users");
    const bodies: unknown[] = [
      null,
      [],
      "text",
      42,
      { email: { a: 1 } },
      { user_metadata: "x".repeat(10_000) },
      { user_metadata: { a: "x".repeat(20_000) } },
      { app_metadata: [] },
      { email: "a\u0000b@c.d" },
      { name: "\ud800" },
      { username: "x".repeat(10_000) },
      { picture: "javascript:alert(1)" },
      { password: 12 },
      { connection: 1 },
      { blocked: null },
      { email_verified: null },
      { app_metadata: { clientID: "x" } },
      { username: "has space" },
    ];
    for (const body of bodies)
      for (const [method, path] of [
        ["PATCH", userPath(u.user_id)],
        ["POST", "/api/v2/users"],
      ] as const) {
        const res = await api.call(method, path, { token, body });
        expect(res.status, `${method} ${JSON.stringify(body)?.slice(0, 60)}`).toBeLessThan(500);
        expect(res.status).toBeGreaterThanOrEqual(400);
      }
    const raw = async (method: string, path: string, text: string) => {
      const res = await fetch(`${api.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: text,
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect(await raw("PATCH", userPath(u.user_id), "{not json")).toMatchObject({
      status: 400,
      body: { message: "Invalid request payload JSON format" },
    });
    expect((await raw("PATCH", userPath(u.user_id), `{"name":"${"x".repeat(70_000)}"}`)).status).toBe(413);
    expect((await raw("POST", "/api/v2/users", `{"connection":"\\u0000"}`)).status).toBe(400);
    for (const id of ["%", "%25", "%00", "a%ZZ", encodeURIComponent("x".repeat(10_000)), "%F0%9F%98%80"])
      for (const method of ["GET", "PATCH", "DELETE"]) {
        const res = await api.call(method, `/api/v2/users/${id}`, {
          token,
          body: method === "PATCH" ? {} : undefined,
        });
        expect(res.status, `${method} ${id.slice(0, 20)}`).toBeLessThan(500);
      }
    for (const q of [
      "email=%00",
      "email=" + "x".repeat(10_000),
      "email=%ud800",
      "fields=" + ",".repeat(3000),
    ]) {
      const res = await api.call("GET", `/api/v2/users-by-email?${q}`, { token });
      expect(res.status, q.slice(0, 20)).toBeLessThan(500);
    }
  });
});
