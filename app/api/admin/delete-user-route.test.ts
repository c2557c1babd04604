import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDeps } from "@/server/config/deps";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "@/server/testing/test-deps";
import { createFixtureUser, seedFixture, type TFixture } from "@/server/testing/fixtures";
import { getUserDetail } from "@/server/admin/users";
import { adminOf } from "@/server/testing/admin-actors";
import * as userRoute from "./users/[userId]/route";

const TOKEN = "admin-token-for-delete-user-0123456789abcdef";

describe.each(testDatabaseKinds())("DELETE /api/admin/users/{user_id} (%s)", (kind) => {
  let deps: TTestDeps;
  let fx: TFixture;
  beforeAll(async () => {
    deps = await createTestDeps(kind, { PORTCULLIS_ADMIN_API_TOKEN: TOKEN });
    fx = await seedFixture(deps);
    setDeps(deps);
  });
  afterAll(async () => deps?.cleanup());

  const del = (userId: string, token = TOKEN) =>
    userRoute.DELETE(
      new Request(`https://portcullis.test/api/admin/users/${encodeURIComponent(userId)}`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${token}` },
      }),
      { params: Promise.resolve({ userId }) },
    );

  it("204 with no body, as Auth0's Management API; then 404 inexistent_user; a wrong token is 401", async () => {
    const user = await createFixtureUser(deps, fx, { connection: "database", password: "route-delete-me-1" });
    const refused = await del(user.userId, "wrong-token");
    expect(refused.status).toBe(401);
    expect(await getUserDetail(deps, adminOf("viewer"), user.userId)).not.toBeNull();

    const res = await del(user.userId);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect(await getUserDetail(deps, adminOf("viewer"), user.userId)).toBeNull();

    const again = await del(user.userId);
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({
      statusCode: 404,
      error: "Not Found",
      errorCode: "inexistent_user",
    });
  });
});
