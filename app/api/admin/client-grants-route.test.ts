import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setDeps } from "@/server/config/deps";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "@/server/testing/test-deps";
import { seedFixture, type TFixture } from "@/server/testing/fixtures";
import { callToken } from "@/server/testing/token-calls";
import { serializedAuditRows } from "@/server/testing/stored-rows";
import * as grantsRoute from "./client-grants/route";
import * as grantRoute from "./client-grants/[id]/route";

const TOKEN = "admin-token-for-client-grants-0123456789";
const BASE = "https://portcullis.test/api/admin/client-grants";

type TGrantJson = { id: string; client_id: string; audience: string; scope: string[] };

describe.each(testDatabaseKinds())("/api/admin/client-grants (%s)", (kind) => {
  let deps: TTestDeps;
  let fx: TFixture;
  beforeAll(async () => {
    deps = await createTestDeps(kind, { PORTCULLIS_ADMIN_API_TOKEN: TOKEN });
    fx = await seedFixture(deps);
    setDeps(deps);
  });
  afterAll(async () => deps?.cleanup());

  const headers = (token = TOKEN) => ({
    authorization: `Bearer ${token}`,
    "content-type": "application/json",
  });
  const list = (query = "", token = TOKEN) =>
    grantsRoute.GET(new Request(`${BASE}${query}`, { headers: headers(token) }));
  const create = (body: unknown) =>
    grantsRoute.POST(new Request(BASE, { method: "POST", headers: headers(), body: JSON.stringify(body) }));
  const patch = (id: string, body: unknown) =>
    grantRoute.PATCH(
      new Request(`${BASE}/${id}`, { method: "PATCH", headers: headers(), body: JSON.stringify(body) }),
      { params: Promise.resolve({ id }) },
    );
  const remove = (id: string) =>
    grantRoute.DELETE(new Request(`${BASE}/${id}`, { method: "DELETE", headers: headers() }), {
      params: Promise.resolve({ id }),
    });
  const m2mToken = () =>
    callToken(deps, {
      params: {
        grant_type: "client_credentials",
        client_id: fx.clients.noPassword.clientId,
        client_secret: fx.clients.noPassword.secret,
        audience: fx.apis.orders.identifier,
      },
    });

  it("creates, lists, narrows and deletes a grant; each change is audited and governs the token endpoint", async () => {
    expect((await list("", "wrong-token")).status).toBe(401);
    expect((await m2mToken()).status).toBe(403);

    const res = await create({
      client_id: fx.clients.noPassword.clientId,
      audience: fx.apis.orders.identifier,
      scope: ["read:orders", "write:orders", "read:orders"],
    });
    expect(res.status).toBe(201);
    const grant = (await res.json()) as TGrantJson;
    expect(grant).toEqual({
      id: expect.stringMatching(/^cgr_[A-Za-z0-9]{16}$/) as string,
      client_id: fx.clients.noPassword.clientId,
      audience: fx.apis.orders.identifier,
      scope: ["read:orders", "write:orders"],
    });
    expect((await m2mToken()).body.scope).toBe("read:orders write:orders");

    expect(await (await list(`?audience=${encodeURIComponent(fx.apis.orders.identifier)}`)).json()).toEqual([
      grant,
    ]);
    expect(await (await list(`?client_id=${fx.clients.web.clientId}`)).json()).toEqual([]);
    expect(await (await list(`?client_id=nobody`)).json()).toEqual([]);

    const narrowed = await patch(grant.id, { scope: ["read:orders"] });
    expect(narrowed.status).toBe(200);
    expect(((await narrowed.json()) as TGrantJson).scope).toEqual(["read:orders"]);
    expect((await m2mToken()).body.scope).toBe("read:orders");

    expect((await remove(grant.id)).status).toBe(204);
    expect((await m2mToken()).status).toBe(403);
    expect(await (await list()).json()).toEqual([]);

    const audit = await serializedAuditRows(deps);
    for (const verb of ["create", "update", "delete"])
      expect(audit).toContain(`${verb} client grant ${grant.id}`);
  });

  it("refuses bad input with the failing field: unknown application or API, undefined scope, duplicate, unknown keys", async () => {
    const expectField = async (res: Response, status: number, field: string) => {
      expect(res.status).toBe(status);
      const body = (await res.json()) as { error: string; fields?: Record<string, string> };
      expect(body.error).toBe("invalid_request");
      expect(Object.keys(body.fields ?? {})).toEqual([field]);
    };
    const ok = { client_id: fx.clients.basic.clientId, audience: fx.apis.reports.identifier, scope: [] };
    await expectField(await create({ ...ok, client_id: "nobody" }), 400, "client_id");
    await expectField(await create({ ...ok, audience: "https://nope.test" }), 400, "audience");
    await expectField(await create({ ...ok, scope: ["write:reports"] }), 400, "scope");
    await expectField(await create({ ...ok, scope: "read:reports" }), 400, "scope");
    const extra = await create({ ...ok, extra: true });
    expect(extra.status).toBe(400);
    expect(((await extra.json()) as { error_description: string }).error_description).toMatch(/extra/);
    expect((await create(ok)).status).toBe(201);
    await expectField(await create(ok), 409, "audience");
    expect((await patch("cgr_nothere", { scope: [] })).status).toBe(404);
    expect((await remove("cgr_nothere")).status).toBe(404);
    const [grant] = (await (await list(`?client_id=${fx.clients.basic.clientId}`)).json()) as TGrantJson[];
    await expectField(await patch(grant!.id, { scope: ["delete:everything"] }), 400, "scope");
    expect((await patch(grant!.id, { audience: "x" })).status).toBe(400);
  });
});
