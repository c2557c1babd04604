import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDeps, type TTestDeps } from "../../testing/test-deps.ts";
import { seedFixture, createFixtureUser, type TFixture } from "../../testing/fixtures.ts";
import { createAppRouteHandler } from "../../testing/app-routes.ts";
import { createHttpServer } from "../../http/serve.ts";
import { setDeps } from "../../config/deps.ts";
import { listLogs } from "../../store/logs.ts";
import { upsertConnectionByName } from "../../store/connections.ts";
import { updateAttackProtection } from "../../admin/protection/update-attack-protection.ts";
import { CLI_ACTOR } from "../../admin/audit.ts";
import type { TMessage } from "../../notifications/notifier.ts";

// Signup, change_password and the hosted reset page through our HTTP server on a loopback port: the routing and
// body caps of server/http/serve.ts, and the pages as a browser without script uses them.

describe("/dbconnections through the HTTP server", () => {
  let deps: TTestDeps;
  let fx: TFixture;
  let server: Server;
  let base: string;
  const sent: TMessage[] = [];

  beforeAll(async () => {
    deps = await createTestDeps("sqlite");
    fx = await seedFixture(deps);
    setDeps(deps);
    const notify = deps.notifier.notify.bind(deps.notifier);
    vi.spyOn(deps.notifier, "notify").mockImplementation(async (m, key, windowMs) => {
      sent.push(m);
      return notify(m, key, windowMs);
    });
    server = createHttpServer(deps, createAppRouteHandler());
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((ok) => server.close(() => ok()));
    await deps.cleanup();
  });

  it("answers signup and change_password itself, logging the socket IP", async () => {
    const email = `http-${Date.now()}@example.com`;
    const res = await fetch(`${base}/dbconnections/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        client_id: fx.clients.spa.clientId,
        connection: fx.connections.database.name,
        email,
        password: "long-enough-1",
      }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ email, email_verified: false });
    const cp = await fetch(`${base}/dbconnections/change_password`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        client_id: fx.clients.spa.clientId,
        connection: fx.connections.database.name,
        email,
      }),
    });
    expect({ status: cp.status, text: await cp.text() }).toEqual({
      status: 200,
      text: "We've just sent you an email to reset your password.",
    });
    const logs = await listLogs(deps.db, { take: 2 });
    expect(logs.map((l) => [l.type, l.client_ip]).sort()).toEqual([
      ["scpr", "127.0.0.1"],
      ["ss", "127.0.0.1"],
    ]);
  });

  it("answers a weak password and a breached one with Auth0's whole bodies", async () => {
    // Auth0's "good" policy: 8 characters, 3 of the 4 kinds.
    await upsertConnectionByName(
      deps.db,
      { name: fx.connections.database.name, options: { passwordPolicy: "good" } },
      { connectionId: fx.connections.database.connectionId },
      deps.clock.now(),
    );
    await updateAttackProtection(deps, CLI_ACTOR, "breached-password-detection", {
      enabled: true,
      shields: ["block"],
    });
    deps.config.clear();
    const signup = async (password: string) => {
      const res = await fetch(`${base}/dbconnections/signup`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          client_id: fx.clients.spa.clientId,
          connection: fx.connections.database.name,
          email: `http-${Date.now()}-${password.length}@example.com`,
          password,
        }),
      });
      return { status: res.status, type: res.headers.get("content-type"), body: await res.json() };
    };
    expect(await signup("short")).toEqual({
      status: 400,
      type: "application/json; charset=utf-8",
      body: {
        name: "PasswordStrengthError",
        message: "Password is too weak",
        code: "invalid_password",
        description: {
          rules: [
            {
              message: "At least %d characters in length",
              format: [8],
              code: "lengthAtLeast",
              verified: false,
            },
            {
              message: "Contain at least %d of the following %d types of characters:",
              code: "containsAtLeast",
              format: [3, 4],
              items: [
                { message: "lower case letters (a-z)", code: "lowerCase", verified: true },
                { message: "upper case letters (A-Z)", code: "upperCase", verified: false },
                { message: "numbers (i.e. 0-9)", code: "numbers", verified: false },
                { message: "special characters (e.g. !@#$%^&*)", code: "specialCharacters", verified: false },
              ],
              verified: false,
            },
          ],
          verified: false,
        },
        policy:
          "* At least 8 characters in length\n* Contain at least 3 of the following 4 types of characters:\n * lower case letters (a-z)\n * upper case letters (A-Z)\n * numbers (i.e. 0-9)\n * special characters (e.g. !@#$%^&*)",
        statusCode: 400,
      },
    });
    expect(await signup("AUTH0-TEST-over-http-1")).toEqual({
      status: 400,
      type: "application/json; charset=utf-8",
      body: {
        name: "BadRequestError",
        code: "password_leaked",
        description:
          "This password was previously disclosed through a data breach (not in this application). Please choose another password.",
        statusCode: 400,
      },
    });
  });

  it("refuses bodies over 16 KiB with 413 in the OAuth shape", async () => {
    const res = await fetch(`${base}/dbconnections/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "x@example.com", user_metadata: { a: "x".repeat(20_000) } }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      error: "invalid_request",
      error_description: "Request body too large.",
    });
  });

  it("resets a password through the hosted page with plain form posts (no script)", async () => {
    const user = await createFixtureUser(deps, fx, { connection: "database", password: "old-password-1" });
    sent.length = 0;
    await fetch(`${base}/dbconnections/change_password`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        client_id: fx.clients.spa.clientId,
        connection: fx.connections.database.name,
        email: user.email,
      }),
    });
    const link = /https:\/\/portcullis\.test(\/reset-password\?ticket=\S+)/.exec(sent[0]?.text ?? "")![1]!;
    const page = await fetch(`${base}${link}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const action = /<form method="post" action="([^"]+)">/.exec(html)![1]!;
    const fields = new URLSearchParams();
    for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
      fields.set(m[1]!, m[2]!);
    fields.set("password", "new-password-2");
    fields.set("password_confirm", "new-password-2");
    const done = await fetch(`${base}${action}`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: base,
      },
      body: fields,
    });
    // Our PUBLIC_URL is https://portcullis.test: a browser on another origin is refused; from ours, it works.
    expect(done.status).toBe(403);
    const ours = await fetch(`${base}${action}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://portcullis.test" },
      body: fields,
    });
    expect(ours.status).toBe(200);
    expect(await ours.text()).toContain("Password changed");
  });
});
