import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDeps } from "@/server/config/deps";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "@/server/testing/test-deps";
import { seedFixture, type TFixture } from "@/server/testing/fixtures";
import * as mfaRoute from "./mfa/route";
import * as usersRoute from "./users/route";
import * as userRoute from "./users/[userId]/route";
import * as connectionRoute from "./connections/[connectionId]/route";
import * as policyRoute from "./attack-protection/[policy]/route";
import * as ipBlockRoute from "./anomaly/blocks/ips/[ip]/route";
import * as rulesRoute from "./rules/route";
import * as ruleRoute from "./rules/[id]/route";

const TOKEN = "admin-token-for-error-bodies-0123456789abcdef";

type THandler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

/** Call a route handler as the API token (or with `token`), answering status and parsed JSON body. */
async function call(
  handler: THandler,
  path: string,
  opts: { method?: string; body?: string; params?: Record<string, string>; token?: string } = {},
): Promise<{ status: number; body: unknown }> {
  const res = await handler(
    new Request(`https://portcullis.test${path}`, {
      method: opts.method ?? "POST",
      headers: { authorization: `Bearer ${opts.token ?? TOKEN}`, "content-type": "application/json" },
      body: opts.body,
    }),
    { params: Promise.resolve(opts.params ?? {}) },
  );
  return { status: res.status, body: (await res.json()) as unknown };
}

// Each admin API family keeps the error body its clients read: the dashboard's forms, the Auth0 Management API
// compatible endpoints, the rules API. Access refusals look the same everywhere.
describe.each(testDatabaseKinds())("admin API error bodies (%s)", (kind) => {
  let deps: TTestDeps;
  let fx: TFixture;

  beforeAll(async () => {
    deps = await createTestDeps(kind, { PORTCULLIS_ADMIN_API_TOKEN: TOKEN });
    fx = await seedFixture(deps);
    setDeps(deps);
  });
  afterAll(async () => {
    await deps?.cleanup();
  });

  it("a wrong API token is a 401 in the guard's body on every family", async () => {
    const token = "not-the-admin-token-0123456789abcdef-0123";
    const refused = { status: 401, body: { error: "unauthorized", error_description: "Sign in required" } };
    expect(await call(mfaRoute.PUT, "/api/admin/mfa", { method: "PUT", body: "{}", token })).toEqual(refused);
    expect(
      await call(policyRoute.GET, "/api/admin/attack-protection/brute-force-protection", {
        method: "GET",
        token,
      }),
    ).toEqual(refused);
    expect(await call(rulesRoute.GET, "/api/admin/rules", { method: "GET", token })).toEqual(refused);
  });

  it("dashboard endpoints answer {error: invalid_request, error_description, fields?}", async () => {
    expect(
      await call(mfaRoute.PUT, "/api/admin/mfa", {
        method: "PUT",
        body: JSON.stringify({ policy: "sometimes" }),
      }),
    ).toEqual({
      status: 400,
      body: { error: "invalid_request", error_description: "policy must be never or always." },
    });
    expect(
      await call(usersRoute.POST, "/api/admin/users", {
        body: JSON.stringify({ connection: "nope", email: "x@example.com", password: "Str0ng-enough-pass" }),
      }),
    ).toEqual({
      status: 400,
      body: {
        error: "invalid_request",
        error_description: "No such connection.",
        fields: { connection: "No such connection." },
      },
    });
    expect(
      await call(connectionRoute.PATCH, "/api/admin/connections/con_missing", {
        method: "PATCH",
        body: JSON.stringify({ name: "X" }),
        params: { connectionId: "con_missing" },
      }),
    ).toEqual({ status: 404, body: { error: "invalid_request", error_description: "No such connection." } });
  });

  it("Management API endpoints answer {statusCode, error, message, errorCode?}", async () => {
    expect(await call(policyRoute.GET, "/api/admin/attack-protection/bogus", { method: "GET" })).toEqual({
      status: 404,
      body: { statusCode: 404, error: "Not Found", message: "Unknown attack-protection policy: bogus" },
    });
    expect(
      await call(ipBlockRoute.GET, "/api/admin/anomaly/blocks/ips/not-an-ip", { method: "GET" }),
    ).toEqual({
      status: 400,
      body: {
        statusCode: 400,
        error: "Bad Request",
        message: "Not an IP address: not-an-ip",
        errorCode: "invalid_uri",
      },
    });
    expect(
      await call(policyRoute.PATCH, "/api/admin/attack-protection/brute-force-protection", {
        method: "PATCH",
        body: "[1]",
      }),
    ).toEqual({
      status: 400,
      body: { statusCode: 400, error: "Bad Request", message: "The request body must be a JSON object." },
    });
  });

  it("PATCH /users/{id}: the password in the Management API body, profile edits in the dashboard's", async () => {
    const alice = encodeURIComponent(fx.users.alice.userId);
    expect(
      await call(userRoute.PATCH, `/api/admin/users/${alice}`, {
        method: "PATCH",
        body: JSON.stringify({ password: "Str0ng-enough-pass", name: "A" }),
      }),
    ).toEqual({
      status: 400,
      body: {
        statusCode: 400,
        error: "Bad Request",
        message: "Set the password on its own; remove: name",
        errorCode: "invalid_body",
      },
    });
    expect(
      await call(userRoute.PATCH, `/api/admin/users/${alice}`, { method: "PATCH", body: "not json" }),
    ).toEqual({
      status: 400,
      body: { statusCode: 400, error: "Bad Request", message: "The request body must be JSON." },
    });
    expect(
      await call(userRoute.PATCH, `/api/admin/users/${encodeURIComponent("auth0|nobody")}`, {
        method: "PATCH",
        body: JSON.stringify({ password: "Str0ng-enough-pass" }),
      }),
    ).toEqual({
      status: 404,
      body: {
        statusCode: 404,
        error: "Not Found",
        message: "The user does not exist.",
        errorCode: "inexistent_user",
      },
    });
    expect(
      await call(userRoute.PATCH, `/api/admin/users/${encodeURIComponent("auth0|nobody")}`, {
        method: "PATCH",
        body: JSON.stringify({ name: "X" }),
      }),
    ).toEqual({ status: 404, body: { error: "invalid_request", error_description: "No such user." } });
  });

  it("rules endpoints answer {error: code, message, details?}", async () => {
    expect(
      await call(ruleRoute.GET, "/api/admin/rules/rul_missing", {
        method: "GET",
        params: { id: "rul_missing" },
      }),
    ).toEqual({ status: 404, body: { error: "not_found", message: "Rule not found" } });
    expect(await call(rulesRoute.POST, "/api/admin/rules", { body: "{oops" })).toEqual({
      status: 400,
      body: { error: "invalid_body", message: "The request body is not valid JSON." },
    });
    const bad = await call(rulesRoute.POST, "/api/admin/rules", { body: JSON.stringify({ name: 7 }) });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      error: "invalid_body",
      message: expect.stringMatching(/^Invalid request: /),
    });
    expect((bad.body as { details: unknown }).details).toEqual(
      expect.arrayContaining([expect.stringMatching(/^name: /)]),
    );
    const broken = await call(rulesRoute.POST, "/api/admin/rules", {
      body: JSON.stringify({ name: "broken", script: "function (user, context, callback) {" }),
    });
    expect(broken).toMatchObject({ status: 400, body: { error: "invalid_script" } });
  });
});
