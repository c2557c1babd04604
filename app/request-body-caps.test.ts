import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NextRequest } from "next/server";
import { setDeps } from "@/server/config/deps";
import { createTestDeps, type TTestDeps } from "@/server/testing/test-deps";
import { endlessRequest, maxPulledFor } from "@/server/testing/endless-body";
import { TOKEN_MAX_BODY_BYTES } from "@/server/oauth/core/request";
import { ADMIN_MAX_BODY_BYTES } from "@/server/admin/read-admin-body";
import { AUTH_MAX_BODY_BYTES, capAuthBody } from "@/server/admin/cap-auth-body";
import * as tokenRoute from "./api/oauth/token/route";
import * as revokeRoute from "./api/oauth/revoke/route";
import * as challengeRoute from "./mfa/challenge/route";
import * as associateRoute from "./mfa/associate/route";
import * as userinfoRoute from "./userinfo/route";
import * as unblockRoute from "./api/unblock/route";
import * as signupRoute from "./dbconnections/signup/route";
import * as changePasswordRoute from "./dbconnections/change_password/route";
import * as resetPasswordRoute from "./reset-password/route";
import * as verifyEmailRoute from "./verify-email/route";
import * as nextAuthRoute from "./api/auth/[...nextauth]/route";
import * as defaultDirectoryRoute from "./api/admin/tenant/default-directory/route";
import * as usersRoute from "./api/admin/users/route";
import * as userRoute from "./api/admin/users/[userId]/route";
import * as userBlockRoute from "./api/admin/users/[userId]/block/route";
import * as totpConfirmRoute from "./api/admin/account/totp/confirm/route";
import * as connectionsRoute from "./api/admin/connections/route";
import * as connectionRoute from "./api/admin/connections/[connectionId]/route";
import * as mfaRoute from "./api/admin/mfa/route";
import * as apisRoute from "./api/admin/apis/route";
import * as apiRoute from "./api/admin/apis/[id]/route";
import * as applicationsRoute from "./api/admin/applications/route";
import * as applicationRoute from "./api/admin/applications/[clientId]/route";
import * as policyRoute from "./api/admin/attack-protection/[policy]/route";
import * as rulesRoute from "./api/admin/rules/route";
import * as ruleRoute from "./api/admin/rules/[id]/route";
import * as rollbackRoute from "./api/admin/rules/[id]/rollback/route";
import * as reorderRoute from "./api/admin/rules/reorder/route";
import * as networkRoute from "./api/admin/rules/network/route";
import * as settingRoute from "./api/admin/rules/settings/[key]/route";
import * as tryRoute from "./api/admin/rules/try/route";

const ORIGIN = "https://portcullis.test";
const TOKEN = "admin-token-for-body-caps-0123456789abcdef";
const JSON_TYPE = { "content-type": "application/json" };
const FORM_TYPE = { "content-type": "application/x-www-form-urlencoded" };

type THandler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

/** Send an endless chunked body (no Content-Length) to `handler`: its answer, and how much of the body it pulled. */
async function sendEndless(
  handler: unknown,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; params?: Record<string, unknown> } = {},
) {
  const { req, state } = endlessRequest(`${ORIGIN}${path}`, opts.headers ?? {}, opts.method ?? "POST");
  expect(req.headers.get("content-length")).toBeNull();
  const res = await (handler as THandler)(req, {
    params: Promise.resolve((opts.params ?? {}) as Record<string, string>),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // An HTML page.
  }
  return { status: res.status, body, pulled: state.pulled };
}

const OAUTH_TOO_LARGE = { error: "invalid_request", error_description: "Request body too large." };

// Every route that reads a request body reads it through one capped reader: an endless chunked body is refused in
// the route family's error shape after at most the cap (plus one chunk) was pulled from it.
describe("request bodies are read under a byte cap on every route", () => {
  let deps: TTestDeps;
  beforeAll(async () => {
    deps = await createTestDeps("sqlite", { PORTCULLIS_ADMIN_API_TOKEN: TOKEN });
    setDeps(deps);
  });
  afterAll(async () => deps?.cleanup());

  it("OAuth token endpoint: 413 invalid_request", async () => {
    const r = await sendEndless(tokenRoute.POST, "/oauth/token", { headers: FORM_TYPE });
    expect(r).toMatchObject({ status: 413, body: OAUTH_TOO_LARGE });
    expect(r.pulled).toBeLessThanOrEqual(maxPulledFor(TOKEN_MAX_BODY_BYTES));
  });

  it("OAuth revocation endpoint: 413 invalid_request under the token endpoint's cap", async () => {
    const r = await sendEndless(revokeRoute.POST, "/oauth/revoke", { headers: FORM_TYPE });
    expect(r).toMatchObject({ status: 413, body: OAUTH_TOO_LARGE });
    expect(r.pulled).toBeLessThanOrEqual(maxPulledFor(TOKEN_MAX_BODY_BYTES));
  });

  it("MFA API and userinfo: 413 invalid_request", async () => {
    const challenge = await sendEndless(challengeRoute.POST, "/mfa/challenge", { headers: JSON_TYPE });
    expect(challenge).toMatchObject({ status: 413, body: OAUTH_TOO_LARGE });
    expect(challenge.pulled).toBeLessThanOrEqual(maxPulledFor(16 * 1024));
    const userinfo = await sendEndless(userinfoRoute.POST, "/userinfo", { headers: FORM_TYPE });
    expect(userinfo).toMatchObject({ status: 413, body: OAUTH_TOO_LARGE });
    expect(userinfo.pulled).toBeLessThanOrEqual(maxPulledFor(16 * 1024));
    // A body within the cap is still read: its (bad) token is checked.
    const small = await userinfoRoute.POST(
      new Request(`${ORIGIN}/userinfo`, { method: "POST", headers: FORM_TYPE, body: "access_token=nope" }),
    );
    expect(small.status).toBe(401);
    expect(await small.json()).toMatchObject({ error: "invalid_token" });
    // Associating needs a bearer first: without one the body is not read at all.
    const associate = await sendEndless(associateRoute.POST, "/mfa/associate", { headers: JSON_TYPE });
    expect(associate.status).toBe(401);
    expect(associate.pulled).toBe(0);
  });

  it("the unblock form: the 'not valid' page, after at most 4 KiB", async () => {
    const r = await sendEndless(unblockRoute.POST, "/api/unblock", { headers: FORM_TYPE });
    expect(r.status).toBe(400);
    expect(r.body).toContain("This unblock link is not valid");
    expect(r.pulled).toBeLessThanOrEqual(maxPulledFor(4 * 1024));
  });

  it("/dbconnections: 413 invalid_request after at most 16 KiB; the hosted pages' forms after at most 4 KiB", async () => {
    for (const [route, path] of [
      [signupRoute.POST, "/dbconnections/signup"],
      [changePasswordRoute.POST, "/dbconnections/change_password"],
    ] as const) {
      const r = await sendEndless(route, path, { headers: JSON_TYPE });
      expect(r).toMatchObject({ status: 413, body: OAUTH_TOO_LARGE });
      expect(r.pulled).toBeLessThanOrEqual(maxPulledFor(16 * 1024));
    }
    for (const [route, path] of [
      [resetPasswordRoute.POST, "/reset-password"],
      [verifyEmailRoute.POST, "/verify-email"],
    ] as const) {
      const r = await sendEndless(route, path, { headers: FORM_TYPE });
      expect(r.status).toBe(403);
      expect(r.body).toContain("This link is not valid");
      expect(r.pulled).toBeLessThanOrEqual(maxPulledFor(4 * 1024));
    }
  });

  it("dashboard sign-in (next-auth): 413 in the dashboard's error body, before next-auth reads anything", async () => {
    const r = await sendEndless(nextAuthRoute.POST, "/api/auth/callback/credentials", {
      headers: FORM_TYPE,
      params: { nextauth: ["callback", "credentials"] },
    });
    expect(r).toMatchObject({
      status: 413,
      body: { error: "invalid_request", error_description: expect.stringMatching(/larger than/) },
    });
    expect(r.pulled).toBeLessThanOrEqual(maxPulledFor(AUTH_MAX_BODY_BYTES));
  });

  const admin = { authorization: `Bearer ${TOKEN}`, ...JSON_TYPE };
  const DASHBOARD = { error: "invalid_request", error_description: expect.stringMatching(/larger than/) };
  const MANAGEMENT = {
    statusCode: 413,
    error: "Payload Too Large",
    message: expect.stringMatching(/larger than/),
  };
  const RULES = { error: "payload_too_large", message: expect.stringMatching(/larger than/) };
  const ADMIN_ROUTES: [string, string, string, unknown, Record<string, string>, unknown][] = [
    ["PUT", "/api/admin/tenant/default-directory", "dashboard", defaultDirectoryRoute.PUT, {}, DASHBOARD],
    ["POST", "/api/admin/users", "dashboard", usersRoute.POST, {}, DASHBOARD],
    [
      "POST",
      "/api/admin/users/auth0|x/block",
      "dashboard",
      userBlockRoute.POST,
      { userId: "auth0|x" },
      DASHBOARD,
    ],
    ["POST", "/api/admin/account/totp/confirm", "dashboard", totpConfirmRoute.POST, {}, DASHBOARD],
    ["POST", "/api/admin/connections", "dashboard", connectionsRoute.POST, {}, DASHBOARD],
    [
      "PATCH",
      "/api/admin/connections/c",
      "dashboard",
      connectionRoute.PATCH,
      { connectionId: "c" },
      DASHBOARD,
    ],
    ["PUT", "/api/admin/mfa", "dashboard", mfaRoute.PUT, {}, DASHBOARD],
    ["POST", "/api/admin/apis", "dashboard", apisRoute.POST, {}, DASHBOARD],
    ["PATCH", "/api/admin/apis/a", "dashboard", apiRoute.PATCH, { id: "a" }, DASHBOARD],
    ["POST", "/api/admin/applications", "dashboard", applicationsRoute.POST, {}, DASHBOARD],
    ["PATCH", "/api/admin/applications/x", "dashboard", applicationRoute.PATCH, { clientId: "x" }, DASHBOARD],
    ["PATCH", "/api/admin/users/auth0|x", "management", userRoute.PATCH, { userId: "auth0|x" }, MANAGEMENT],
    [
      "PATCH",
      "/api/admin/attack-protection/brute-force-protection",
      "management",
      policyRoute.PATCH,
      { policy: "brute-force-protection" },
      MANAGEMENT,
    ],
    ["POST", "/api/admin/rules", "rules", rulesRoute.POST, {}, RULES],
    ["PATCH", "/api/admin/rules/r", "rules", ruleRoute.PATCH, { id: "r" }, RULES],
    ["POST", "/api/admin/rules/r/rollback", "rules", rollbackRoute.POST, { id: "r" }, RULES],
    ["POST", "/api/admin/rules/reorder", "rules", reorderRoute.POST, {}, RULES],
    ["PUT", "/api/admin/rules/network", "rules", networkRoute.PUT, {}, RULES],
    ["PUT", "/api/admin/rules/settings/k", "rules", settingRoute.PUT, { key: "k" }, RULES],
    ["POST", "/api/admin/rules/try", "rules", tryRoute.POST, {}, RULES],
  ];

  it.each(ADMIN_ROUTES)(
    "admin API %s %s: 413 in the %s error body",
    async (method, path, _family, handler, params, body) => {
      const r = await sendEndless(handler, path, { method, headers: admin, params });
      expect(r).toEqual({ status: 413, body, pulled: expect.any(Number) });
      expect(r.pulled).toBeLessThanOrEqual(maxPulledFor(ADMIN_MAX_BODY_BYTES));
    },
  );
});

describe("capAuthBody", () => {
  it("hands next-auth a request with the same method, headers, URL and body, read once", async () => {
    let seen: {
      method: string;
      url: string;
      type: string | null;
      body: string;
      callbackUrl: string | null;
    } | null = null;
    const handler = capAuthBody(async (req: NextRequest) => {
      seen = {
        method: req.method,
        url: req.url,
        type: req.headers.get("content-type"),
        body: await req.text(),
        callbackUrl: req.nextUrl.searchParams.get("callbackUrl"),
      };
      return new Response("ok");
    });
    const body = "email=a%40b.c&password=p&csrfToken=t";
    const url = `${ORIGIN}/api/auth/callback/credentials?callbackUrl=%2Fadmin`;
    const req = new Request(url, { method: "POST", headers: FORM_TYPE, body }) as NextRequest;
    const res = await handler(req, { params: Promise.resolve({ nextauth: ["callback", "credentials"] }) });
    expect(await res.text()).toBe("ok");
    expect(seen).toEqual({
      method: "POST",
      url,
      type: FORM_TYPE["content-type"],
      body,
      callbackUrl: "/admin",
    });
  });
});
