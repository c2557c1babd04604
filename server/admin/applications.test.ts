import { describe, expect, it } from "vitest";
import { testDatabaseKinds } from "../testing/test-deps.ts";
import { useSeededDeps } from "../testing/use-deps.ts";
import { callToken, passwordParams } from "../testing/token-calls.ts";
import { createApplication, deleteApplication, rotateClientSecret } from "./applications.ts";
import { setUserBlocked } from "./users.ts";
import { listLogs } from "../store/logs.ts";
import type { TAdmin } from "./session.ts";
import { countClients } from "../store/clients.ts";

const admin: TAdmin = { id: "adm_1", email: "owner@example.com", role: "owner", totpEnabled: false };

describe.each(testDatabaseKinds())("admin: applications and user blocks (%s)", (kind) => {
  const t = useSeededDeps(kind);

  const login = (clientId: string, secret: string | undefined, extra: Record<string, string> = {}) =>
    callToken(t.deps, { params: passwordParams({ clientId, secret }, t.fx.users.alice, extra) });

  it("creates an application whose one-time secret logs users in; the password toggle brings the realm grant", async () => {
    const created = await createApplication(t.deps, admin, {
      name: "Console App",
      app_type: "regular_web",
      is_first_party: true,
      token_endpoint_auth_method: "client_secret_post",
      grant_types: ["password", "refresh_token"],
      connections: [t.fx.connections.database.name],
    });
    expect(created.client_secret).toHaveLength(64);
    expect((await login(created.client_id, created.client_secret)).status).toBe(200);
    const realm = await callToken(t.deps, {
      params: {
        grant_type: "http://auth0.com/oauth/grant-type/password-realm",
        realm: t.fx.connections.database.name,
        client_id: created.client_id,
        client_secret: created.client_secret!,
        username: t.fx.users.alice.email,
        password: t.fx.users.alice.password,
      },
    });
    expect(realm.status).toBe(200);
    const [audit] = await listLogs(t.deps.db, { type: "sapi", take: 1 });
    expect(audit?.details).toMatchObject({
      actor: { email: "owner@example.com" },
      action: "create application",
      target: created.client_id,
    });
    expect(JSON.stringify(audit)).not.toContain(created.client_secret);
  });

  it("refuses invalid applications with a clear message and creates nothing", async () => {
    const before = await countClients(t.deps.db);
    await expect(
      createApplication(t.deps, admin, {
        name: "Partner",
        app_type: "spa",
        is_first_party: false,
        token_endpoint_auth_method: "none",
        grant_types: ["password"],
      }),
    ).rejects.toThrow(/Third-party/);
    await expect(
      createApplication(t.deps, admin, {
        name: "Mobile",
        app_type: "native",
        is_first_party: true,
        token_endpoint_auth_method: "none",
        grant_types: ["password"],
        is_token_endpoint_ip_header_trusted: true,
      }),
    ).rejects.toThrow(/trust the token endpoint IP header/);
    await expect(createApplication(t.deps, admin, { name: "" })).rejects.toThrow(/name/);
    await expect(
      createApplication(t.deps, admin, {
        name: "Console App",
        app_type: "regular_web",
        is_first_party: true,
        token_endpoint_auth_method: "client_secret_post",
        grant_types: [],
      }),
    ).rejects.toThrow(/already exists/);
    expect(await countClients(t.deps.db)).toBe(before);
  });

  it("rotating a secret makes the old one fail and the new one work", async () => {
    const created = await createApplication(t.deps, admin, {
      name: "Rotating App",
      app_type: "regular_web",
      is_first_party: true,
      token_endpoint_auth_method: "client_secret_post",
      grant_types: ["password"],
      connections: [t.fx.connections.database.name],
    });
    const { client_secret } = await rotateClientSecret(t.deps, admin, created.client_id);
    expect((await login(created.client_id, created.client_secret)).body).toEqual({
      error: "access_denied",
      error_description: "Unauthorized",
    });
    expect((await login(created.client_id, client_secret)).status).toBe(200);
  });

  it("deleting an application revokes what it was issued: its refresh tokens stop working", async () => {
    const created = await createApplication(t.deps, admin, {
      name: "Doomed App",
      app_type: "regular_web",
      is_first_party: true,
      token_endpoint_auth_method: "client_secret_post",
      grant_types: ["password", "refresh_token"],
      connections: [t.fx.connections.database.name],
    });
    const first = await login(created.client_id, created.client_secret, {
      audience: t.fx.apis.orders.identifier,
      scope: "offline_access",
    });
    expect(first.body.refresh_token).toBeTruthy();
    await deleteApplication(t.deps, admin, created.client_id);
    const refresh = await callToken(t.deps, {
      params: {
        grant_type: "refresh_token",
        client_id: created.client_id,
        client_secret: created.client_secret!,
        refresh_token: String(first.body.refresh_token),
      },
    });
    expect(refresh.status).toBe(401);
    const tokens = await t.deps.db.all<{ n: number | string }>(
      `SELECT COUNT(*) AS n FROM "RefreshToken" JOIN "Client" ON "Client"."id" = "RefreshToken"."clientId" WHERE "Client"."clientId" = ?`,
      [created.client_id],
    );
    expect(Number(tokens[0]?.n)).toBe(0);
  });

  it("an admin block refuses the user's login until it is lifted, and both changes are audited", async () => {
    const web = t.fx.clients.web;
    t.deps.clock.advance(1000);
    await setUserBlocked(t.deps, admin, t.fx.users.alice.userId, true);
    expect((await login(web.clientId, web.secret)).body).toEqual({
      error: "unauthorized",
      error_description: "user is blocked",
    });
    t.deps.clock.advance(1000);
    await setUserBlocked(t.deps, admin, t.fx.users.alice.userId, false);
    expect((await login(web.clientId, web.secret)).status).toBe(200);
    const audits = await listLogs(t.deps.db, { type: "sapi", take: 2 });
    expect(audits.map((a) => a.details?.action)).toEqual(["unblock user", "block user"]);
    await expect(setUserBlocked(t.deps, admin, "auth0|nobody", true)).rejects.toThrow(/No such user/);
  });
});
