import { describe, expect, it } from "vitest";
import { decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { testDatabaseKinds } from "../testing/test-deps.ts";
import { useSeededDeps } from "../testing/use-deps.ts";
import { callToken, passwordParams } from "../testing/token-calls.ts";
import { serializedAuditRows } from "../testing/stored-rows.ts";
import { adminOf, countAdminChanges, lastAdminChange } from "../testing/admin-actors.ts";
import { findResourceServer } from "../store/resource-servers.ts";
import { updateApi } from "./update-api.ts";
import { AdminError } from "./admin-error.ts";

const owner = adminOf("owner");

describe.each(testDatabaseKinds())("admin: edit an API (%s)", (kind) => {
  const t = useSeededDeps(kind);

  const login = (audience: string, scope: string) =>
    callToken(t.deps, { params: passwordParams(t.fx.clients.web, t.fx.users.alice, { audience, scope }) });

  it("scopes, token lifetime and offline access take effect on the next login; audited", async () => {
    const orders = t.fx.apis.orders.identifier;
    const first = await login(orders, "read:orders delete:orders offline_access");
    expect(first.body.refresh_token).toBeTruthy();
    await updateApi(t.deps, owner, orders, {
      scopes: ["read:orders", { value: "ship:orders", description: "Ship orders" }],
      token_lifetime: 600,
      allow_offline_access: false,
    });
    const next = await login(orders, "read:orders delete:orders ship:orders offline_access");
    expect(next.status).toBe(200);
    const claims = decodeJwt(String(next.body.access_token));
    expect(String(claims.scope).split(" ")).toEqual(expect.arrayContaining(["read:orders", "ship:orders"]));
    expect(String(claims.scope)).not.toContain("delete:orders");
    expect(Number(claims.exp) - Number(claims.iat)).toBe(600);
    expect(next.body.refresh_token).toBeUndefined();
    const audit = await lastAdminChange(t.deps, "update api");
    expect(audit?.details).toMatchObject({
      actor: { email: owner.email },
      target: orders,
      before: { token_lifetime: 7200, allow_offline_access: true },
      after: { token_lifetime: 600, allow_offline_access: false, identifier: orders },
    });
  });

  it("switching to HS256 issues a signing secret once, which verifies the tokens; RS256 again drops it", async () => {
    const reports = t.fx.apis.reports.identifier;
    const api = await findResourceServer(t.deps.db, reports);
    // By internal id, as the dashboard sends it.
    const { signing_secret } = await updateApi(t.deps, owner, api!.id, { signing_alg: "HS256" });
    expect(signing_secret).toBeTruthy();
    const res = await login(reports, "read:reports");
    await jwtVerify(String(res.body.access_token), new TextEncoder().encode(signing_secret), {
      currentDate: t.deps.clock.now(),
    });
    expect(await serializedAuditRows(t.deps)).not.toContain(signing_secret!);
    const again = await updateApi(t.deps, owner, reports, { signing_alg: "RS256" });
    expect(again.signing_secret).toBeUndefined();
    expect((await findResourceServer(t.deps.db, reports))?.signingSecretEnc).toBeNull();
    expect(decodeProtectedHeader(String((await login(reports, "read:reports")).body.access_token)).alg).toBe(
      "RS256",
    );
  });

  it("refuses invalid edits (including a new identifier) with the field at fault; nothing changes", async () => {
    const reports = t.fx.apis.reports.identifier;
    const before = await findResourceServer(t.deps.db, reports);
    const audits = await countAdminChanges(t.deps);
    const refusals: [unknown, string, RegExp][] = [
      [{ identifier: "https://elsewhere.test" }, "identifier", /cannot be changed/],
      [{ token_lifetime: 10 }, "token_lifetime", /60/],
      [{ scopes: ["two words"] }, "scopes", /spaces/],
      [{ signing_alg: "none" }, "signing_alg", /./],
      [{ name: "Orders API" }, "name", /already exists/],
      [{ signing_secret: "x" }, "", /unknown field/],
    ];
    for (const [body, field, message] of refusals) {
      const err = await updateApi(t.deps, owner, reports, body).catch((e: unknown) => e);
      expect(err, JSON.stringify(body)).toBeInstanceOf(AdminError);
      expect((err as AdminError).message).toMatch(message);
      if (field) expect((err as AdminError).fields?.[field]).toMatch(message);
    }
    await expect(updateApi(t.deps, owner, "https://missing.test", { name: "X" })).rejects.toMatchObject({
      status: 404,
    });
    expect(await findResourceServer(t.deps.db, reports)).toEqual(before);
    expect(await countAdminChanges(t.deps)).toBe(audits);
    // The identifier itself may be sent unchanged (the form shows it read-only).
    await updateApi(t.deps, owner, reports, { identifier: reports });
    expect((await findResourceServer(t.deps.db, reports))?.identifier).toBe(reports);
  });

  it("roles without config:write are refused (403) and nothing changes", async () => {
    const reports = t.fx.apis.reports.identifier;
    const before = await findResourceServer(t.deps.db, reports);
    for (const role of ["viewer", "security", "rules-editor"] as const) {
      await expect(updateApi(t.deps, adminOf(role), reports, { token_lifetime: 60 })).rejects.toStrictEqual(
        AdminError.forbidden(),
      );
    }
    expect(await findResourceServer(t.deps.db, reports)).toEqual(before);
  });

  it("keeps the built-in Management API's name and scopes; only its token lifetime is a setting", async () => {
    const identifier = "https://portcullis.test/api/v2/";
    const before = await findResourceServer(t.deps.db, identifier);
    for (const body of [
      { name: "Mine" },
      { scopes: ["read:users"] },
      { signing_alg: "HS256" },
      { allow_offline_access: true },
    ]) {
      const err = await updateApi(t.deps, owner, identifier, body).catch((e: unknown) => e);
      expect(err, JSON.stringify(body)).toBeInstanceOf(AdminError);
      expect((err as AdminError).message).toBe(
        "The Management API is built in: only its token lifetime can be changed.",
      );
    }
    expect(await findResourceServer(t.deps.db, identifier)).toEqual(before);
    await updateApi(t.deps, owner, identifier, { token_lifetime: 3600, name: before!.name });
    expect((await findResourceServer(t.deps.db, identifier))?.tokenLifetime).toBe(3600);
  });
});
