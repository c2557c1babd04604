import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDeps } from "@/server/config/deps";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "@/server/testing/test-deps";
import { createFixtureUser, seedFixture, type TFixture } from "@/server/testing/fixtures";
import { showResetPasswordPage } from "@/server/oauth/dbconnections/reset-password-page";
import * as ticketRoute from "./users/[userId]/password-change-ticket/route";

const TOKEN = "admin-token-for-password-tickets-0123456789";

describe.each(testDatabaseKinds())("POST /api/admin/users/{user_id}/password-change-ticket (%s)", (kind) => {
  let deps: TTestDeps;
  let fx: TFixture;
  beforeAll(async () => {
    deps = await createTestDeps(kind, { PORTCULLIS_ADMIN_API_TOKEN: TOKEN });
    fx = await seedFixture(deps);
    setDeps(deps);
  });
  afterAll(async () => deps?.cleanup());

  const post = (userId: string, body: string, token = TOKEN) =>
    ticketRoute.POST(
      new Request(
        `https://portcullis.test/api/admin/users/${encodeURIComponent(userId)}/password-change-ticket`,
        {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body,
        },
      ),
      { params: Promise.resolve({ userId: encodeURIComponent(userId) }) },
    );

  it("200 { ticket } (no-store) whose link opens the reset form; 401 without the token; Auth0 error bodies", async () => {
    const user = await createFixtureUser(deps, fx, { connection: "database", password: "route-ticket-pass-1" });
    expect((await post(user.userId, "{}", "wrong-token")).status).toBe(401);

    const res = await post(user.userId, JSON.stringify({ ttl_sec: 3600, mark_email_as_verified: true }));
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as { ticket: string };
    expect(Object.keys(body)).toEqual(["ticket"]);
    expect((await showResetPasswordPage(new Request(body.ticket), deps)).status).toBe(200);

    const bad = await post(user.userId, JSON.stringify({ ttl_sec: 999999999 }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ statusCode: 400, error: "Bad Request" });
    expect((await post(user.userId, "not json")).status).toBe(400);
    const missing = await post("auth0|nobody", "{}");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ statusCode: 404, errorCode: "inexistent_user" });
  });
});
