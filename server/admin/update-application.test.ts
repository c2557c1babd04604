import { describe, expect, it } from "vitest";
import { decodeJwt } from "jose";
import { testDatabaseKinds } from "../testing/test-deps.ts";
import { useSeededDeps } from "../testing/use-deps.ts";
import { callToken, passwordParams, realmParams } from "../testing/token-calls.ts";
import { serializedAuditRows } from "../testing/stored-rows.ts";
import { adminOf, countAdminChanges, lastAdminChange } from "../testing/admin-actors.ts";
import { findClientByClientId } from "../store/clients.ts";
import { getApplication } from "./get-application.ts";
import { updateApplication } from "./update-application.ts";
import { AdminError } from "./admin-error.ts";

const owner = adminOf("owner");

describe.each(testDatabaseKinds())("admin: edit an application (%s)", (kind) => {
  const t = useSeededDeps(kind);

  const aliceLogin = (extra: Record<string, string> = {}) =>
    callToken(t.deps, { params: passwordParams(t.fx.clients.web, t.fx.users.alice, extra) });

  it("removing the password grant refuses password logins at once; adding it back restores them; audited", async () => {
    expect((await aliceLogin()).status).toBe(200);
    t.deps.clock.advance(1000);
    await updateApplication(t.deps, owner, t.fx.clients.web.clientId, { grant_types: ["refresh_token"] });
    const refused = await aliceLogin();
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe("unauthorized_client");
    const audit = await lastAdminChange(t.deps, "update application");
    expect(audit?.user_name).toBe(owner.email);
    expect(audit?.details).toMatchObject({
      actor: { id: owner.id, email: owner.email, role: "owner" },
      target: t.fx.clients.web.clientId,
      before: { grant_types: expect.arrayContaining(["password", "refresh_token"]) as unknown },
      after: { grant_types: ["refresh_token"] },
    });

    t.deps.clock.advance(1000);
    await updateApplication(t.deps, owner, t.fx.clients.web.clientId, {
      grant_types: ["password", "refresh_token"],
    });
    expect((await aliceLogin()).status).toBe(200);
    // The Password toggle brings the realm grant with it, as in Auth0's dashboard.
    expect((await findClientByClientId(t.deps.db, t.fx.clients.web.clientId))?.grantTypes).toEqual(
      expect.arrayContaining(["password", "http://auth0.com/oauth/grant-type/password-realm"]),
    );
    expect(await serializedAuditRows(t.deps)).not.toContain(t.fx.clients.web.secret);
  });

  it("the ID token lifetime and the enabled connections take effect on the next login", async () => {
    await updateApplication(t.deps, owner, t.fx.clients.web.clientId, {
      id_token_lifetime: 900,
      connections: [t.fx.connections.database.name, t.fx.connections.customers.name],
    });
    const ok = await aliceLogin({ scope: "openid" });
    const id = decodeJwt(String(ok.body.id_token));
    expect(Number(id.exp) - Number(id.iat)).toBe(900);
    const employees = await callToken(t.deps, {
      params: realmParams(t.fx.clients.web, t.fx.users.danaEmployee, t.fx.connections.employees.name),
    });
    expect(employees.status).not.toBe(200);
    const view = await getApplication(t.deps, owner, t.fx.clients.web.clientId);
    expect(view?.settings.connections).toEqual(
      [t.fx.connections.customers.name, t.fx.connections.database.name].sort(),
    );
  });

  it("switching to public removes the secret; switching back issues a new one, shown once, that works", async () => {
    const app = t.fx.clients.noPassword;
    const toPublic = await updateApplication(t.deps, owner, app.clientId, {
      token_endpoint_auth_method: "none",
    });
    expect(toPublic.client_secret).toBeUndefined();
    expect((await findClientByClientId(t.deps.db, app.clientId))?.clientSecretHash).toBeNull();
    t.deps.clock.advance(1000);
    const back = await updateApplication(t.deps, owner, app.clientId, {
      token_endpoint_auth_method: "client_secret_post",
      grant_types: ["password"],
      connections: [t.fx.connections.database.name],
    });
    expect(back.client_secret).toHaveLength(64);
    const login = await callToken(t.deps, {
      params: passwordParams({ ...app, secret: back.client_secret! }, t.fx.users.alice),
    });
    expect(login.status).toBe(200);
    expect(await serializedAuditRows(t.deps)).not.toContain(back.client_secret!);
    expect((await lastAdminChange(t.deps, "update application"))?.details?.after).toMatchObject({
      secret_issued: true,
    });
  });

  it("refuses invalid edits with the field at fault, and changes and records nothing", async () => {
    const before = await findClientByClientId(t.deps.db, t.fx.clients.basic.clientId);
    const audits = await countAdminChanges(t.deps);
    const refusals: [unknown, string, RegExp][] = [
      [{ is_first_party: false }, "grant_types", /Third-party/],
      [
        { token_endpoint_auth_method: "none", is_token_endpoint_ip_header_trusted: true },
        "is_token_endpoint_ip_header_trusted",
        /IP header/,
      ],
      [{ name: "  " }, "name", /empty/],
      [{ id_token_lifetime: 5 }, "id_token_lifetime", /60/],
      [{ refresh_idle_lifetime: 999_999, refresh_token_lifetime: 3600 }, "refresh_idle_lifetime", /idle/],
      [{ connections: ["Nope"] }, "connections", /Unknown connection/],
      [{ grant_types: ["telepathy"] }, "grant_types", /./],
      [{ client_secret: "mine" }, "", /unknown field/],
      [{ name: t.fx.clients.web.name }, "name", /already exists/],
    ];
    for (const [body, field, message] of refusals) {
      const err = await updateApplication(t.deps, owner, t.fx.clients.basic.clientId, body).catch(
        (e: unknown) => e,
      );
      expect(err, JSON.stringify(body)).toBeInstanceOf(AdminError);
      expect((err as AdminError).message).toMatch(message);
      if (field) expect((err as AdminError).fields?.[field], JSON.stringify(body)).toMatch(message);
    }
    await expect(updateApplication(t.deps, owner, "no-such-client", { name: "X" })).rejects.toMatchObject({
      status: 404,
    });
    expect(await findClientByClientId(t.deps.db, t.fx.clients.basic.clientId)).toEqual(before);
    expect(await countAdminChanges(t.deps)).toBe(audits);
  });

  it("roles without config:write are refused (403) and nothing changes", async () => {
    const before = await findClientByClientId(t.deps.db, t.fx.clients.basic.clientId);
    for (const role of ["viewer", "security", "rules-editor"] as const) {
      const err = await updateApplication(t.deps, adminOf(role), t.fx.clients.basic.clientId, {
        name: "Hijacked",
      }).catch((e: unknown) => e);
      expect(err).toStrictEqual(AdminError.forbidden());
    }
    expect(await findClientByClientId(t.deps.db, t.fx.clients.basic.clientId)).toEqual(before);
    await updateApplication(t.deps, adminOf("admin"), t.fx.clients.basic.clientId, { name: "Acme Backend" });
    expect((await findClientByClientId(t.deps.db, t.fx.clients.basic.clientId))?.name).toBe("Acme Backend");
  });
});
