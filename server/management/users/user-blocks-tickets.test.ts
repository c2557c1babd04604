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
import { updateAttackProtection } from "../../admin/protection/update-attack-protection.ts";

const OWNER = { id: "adm_owner", email: "owner@example.com", role: "owner" as const };
const PASSWORD = "Copper-Kettle-Orchard-58";

describe.each(testDatabaseKinds())("Management API user-blocks and password-change tickets (%s)", (kind) => {
  const t = useSeededDeps(kind, UNTHROTTLED_MANAGEMENT_API);
  let api: TManagementServer;
  beforeAll(async () => {
    api = await startManagementServer(t.deps);
    await updateAttackProtection(t.deps, OWNER, "brute-force-protection", { max_attempts: 3 });
  });
  afterAll(async () => {
    await api.close();
  });

  const tok = (...scopes: string[]) => managementToken(t.deps, t.fx.clients.noPassword, scopes);
  const call = async (method: string, path: string, scopes: string[], body?: unknown) =>
    api.call(method, path, { token: await tok(...scopes), body });
  let ipCounter = 0;
  const freshIp = () => `203.0.113.${++ipCounter}`;
  const login = (email: string, password: string, ip: string) =>
    callToken(t.deps, { params: passwordParams(t.fx.clients.web, { email, password }), socketIp: ip });
  async function newUser() {
    const res = await call("POST", "/api/v2/users", ["create:users"], {
      connection: t.fx.connections.database.name,
      email: `b${randomBytes(5).toString("hex")}@example.com`,
      password: PASSWORD,
      verify_email: false,
    });
    expect(res.status).toBe(201);
    return res.body as { user_id: string; email: string };
  }
  /** Fail the password grant up to the threshold from `ip`: the identifier is then blocked there. */
  async function blockFrom(email: string, ip: string) {
    for (let i = 0; i < 3; i++) expect((await login(email, "wrong-password-x", ip)).status).toBe(403);
    expect((await login(email, PASSWORD, ip)).status).toBe(429);
  }
  const logsOf = async (type: string) => listLogs(t.deps.db, { type, take: 500 });

  it("a real brute-force block is listed by identifier and by user id, lifted by id, and the next login succeeds", async () => {
    const u = await newUser();
    const [ipA, ipB] = [freshIp(), freshIp()];
    await blockFrom(u.email, ipA);
    await blockFrom(u.email, ipB);
    const connection = t.fx.connections.database.name;
    const expected = {
      blocked_for: expect.arrayContaining([
        { identifier: u.email, ip: ipA, connection },
        { identifier: u.email, ip: ipB, connection },
      ]),
    };
    const byIdentifier = await call(
      "GET",
      `/api/v2/user-blocks?identifier=${encodeURIComponent(u.email.toUpperCase())}`,
      ["read:users"],
    );
    expect(byIdentifier.status).toBe(200);
    expect(byIdentifier.body).toEqual(expected);
    expect((byIdentifier.body as { blocked_for: unknown[] }).blocked_for).toHaveLength(2);
    const byId = await call("GET", `/api/v2/user-blocks/${encodeURIComponent(u.user_id)}`, ["read:users"]);
    expect(byId.body).toEqual(expected);

    expect(
      (await call("DELETE", `/api/v2/user-blocks/${encodeURIComponent(u.user_id)}`, ["read:users"])).status,
    ).toBe(403);
    const lifted = await call("DELETE", `/api/v2/user-blocks/${encodeURIComponent(u.user_id)}`, [
      "update:users",
    ]);
    expect(lifted.status).toBe(204);
    expect(
      (await call("GET", `/api/v2/user-blocks/${encodeURIComponent(u.user_id)}`, ["read:users"])).body,
    ).toEqual({
      blocked_for: [],
    });
    expect((await login(u.email, PASSWORD, ipA)).status).toBe(200);
    expect((await login(u.email, PASSWORD, ipB)).status).toBe(200);
    const released = (await logsOf("ublkdu")).filter(
      (l) => l.user_name === u.email || l.user_id === u.user_id,
    );
    expect(released).toHaveLength(2);
    expect(released.map((l) => l.details?.reason)).toEqual(["admin", "admin"]);
    const sapi = (await logsOf("sapi")).find(
      (l) => l.details?.action === "unblock user" && l.details?.target === u.user_id,
    );
    expect(sapi).toMatchObject({
      client_id: t.fx.clients.noPassword.clientId,
      details: {
        actor: { kind: "client", client_id: t.fx.clients.noPassword.clientId },
        after: { blocks: [] },
      },
    });
    expect((sapi!.details!.before as { blocks: unknown[] }).blocks).toHaveLength(2);
  });

  it("DELETE /user-blocks?identifier= lifts the identifier's blocks; errors in Auth0's bodies", async () => {
    const u = await newUser();
    const ip = freshIp();
    await blockFrom(u.email, ip);
    const res = await call("DELETE", `/api/v2/user-blocks?identifier=${encodeURIComponent(u.email)}`, [
      "update:users",
    ]);
    expect(res.status).toBe(204);
    expect((await login(u.email, PASSWORD, ip)).status).toBe(200);
    expect(
      (await logsOf("sapi")).some(
        (l) => l.details?.action === "unblock user" && l.details?.target === u.email,
      ),
    ).toBe(true);

    for (const [method, scope] of [
      ["GET", "read:users"],
      ["DELETE", "update:users"],
    ] as const) {
      expect(await call(method, "/api/v2/user-blocks", [scope])).toMatchObject({
        status: 400,
        body: {
          statusCode: 400,
          error: "Bad Request",
          message: "Query validation error: 'Missing required property: identifier'.",
          errorCode: "invalid_query_string",
        },
      });
      expect(await call(method, "/api/v2/user-blocks/auth0%7Cnobody", [scope])).toMatchObject({
        status: 404,
        body: { message: "The user does not exist.", errorCode: "inexistent_user" },
      });
      for (const q of [
        "identifier=%00",
        `identifier=${"x".repeat(10_000)}`,
        ...(method === "GET" ? ["identifier=a&consider_brute_force_enablement=maybe"] : []),
      ])
        expect((await call(method, `/api/v2/user-blocks?${q}`, [scope])).status, q.slice(0, 20)).toBe(400);
      for (const id of ["%", "%00", encodeURIComponent("y".repeat(10_000))])
        expect((await call(method, `/api/v2/user-blocks/${id}`, [scope])).status).toBe(404);
    }
    expect(await call("GET", "/api/v2/user-blocks?identifier=a", ["update:users"])).toMatchObject({
      status: 403,
      body: { message: "Insufficient scope, expected any of: read:users" },
    });
    // Unknown identifiers have no blocks.
    expect(
      (await call("GET", "/api/v2/user-blocks?identifier=nobody%40example.com", ["read:users"])).body,
    ).toEqual({
      blocked_for: [],
    });
  });

  it("POST /tickets/password-change: 201 {ticket} for user_id or email + connection_id, audited; the link opens", async () => {
    const u = await newUser();
    const res = await call("POST", "/api/v2/tickets/password-change", ["create:user_tickets"], {
      user_id: u.user_id,
      result_url: "https://app.example.com/done",
      ttl_sec: 3600,
      mark_email_as_verified: true,
    });
    expect(res.status).toBe(201);
    const { ticket } = res.body as { ticket: string };
    expect(Object.keys(res.body as object)).toEqual(["ticket"]);
    expect(ticket.startsWith(t.deps.env.issuer)).toBe(true);
    const page = await fetch(`${api.baseUrl}${new URL(ticket).pathname}${new URL(ticket).search}`);
    expect(page.status).toBeLessThan(500);
    const audit = (await logsOf("sapi")).find(
      (l) => l.details?.action === "create password change ticket" && l.details?.target === u.user_id,
    );
    expect(audit).toMatchObject({
      client_id: t.fx.clients.noPassword.clientId,
      details: {
        actor: { kind: "client" },
        after: { mark_email_as_verified: true, result_url: "https://app.example.com/done" },
      },
    });
    expect(JSON.stringify(audit)).not.toContain(new URL(ticket).search.slice(1) || "never");

    const byEmail = await call("POST", "/api/v2/tickets/password-change", ["create:user_tickets"], {
      email: u.email.toUpperCase(),
      connection_id: t.fx.connections.database.connectionId,
    });
    expect(byEmail.status).toBe(201);
    expect((byEmail.body as { ticket: string }).ticket).not.toBe(ticket);
  });

  it("POST /tickets/password-change refuses bad bodies, unknown users and missing scopes as Auth0", async () => {
    const u = await newUser();
    const path = "/api/v2/tickets/password-change";
    const bad: [unknown, number, string?][] = [
      [
        {},
        400,
        "Payload validation error: 'Missing required property: user_id (or email and connection_id)'.",
      ],
      [{ email: u.email }, 400, "Payload validation error: 'Missing required property: connection_id'."],
      [
        { user_id: u.user_id, foo: 1 },
        400,
        "Payload validation error: 'Additional properties not allowed: foo'.",
      ],
      [{ user_id: u.user_id, ttl_sec: -1 }, 400],
      [{ user_id: u.user_id, ttl_sec: 1.5 }, 400],
      [{ user_id: u.user_id, ttl_sec: "60" }, 400],
      [{ user_id: u.user_id, result_url: "javascript:alert(1)" }, 400],
      [{ user_id: u.user_id, includeEmailInRedirect: true }, 400],
      [{ user_id: u.user_id, email: u.email, connection_id: t.fx.connections.database.connectionId }, 400],
      [
        { user_id: 5 },
        400,
        "Payload validation error: 'Expected type string but found type integer' on property user_id.",
      ],
      [[u.user_id], 400],
      [{ user_id: "auth0|nobody" }, 404, "The user does not exist."],
      [
        { email: "nobody@example.com", connection_id: t.fx.connections.database.connectionId },
        404,
        "The user does not exist.",
      ],
      [{ email: u.email, connection_id: "con_nope" }, 404, "The connection does not exist."],
      [{ user_id: "x".repeat(10_000) }, 400],
      [{ user_id: "a\u0000b" }, 400],
    ];
    for (const [body, status, message] of bad) {
      const res = await call("POST", path, ["create:user_tickets"], body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      expect(res.body).toMatchObject({ statusCode: status, ...(message ? { message } : {}) });
      if (status === 400) expect(res.body).toMatchObject({ errorCode: "invalid_body" });
    }
    expect(await call("POST", path, ["update:users"], { user_id: u.user_id })).toMatchObject({
      status: 403,
      body: {
        message: "Insufficient scope, expected any of: create:user_tickets",
        errorCode: "insufficient_scope",
      },
    });
  });
});
