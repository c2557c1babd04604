import { describe, expect, it } from "vitest";
import { jwtVerify } from "jose";
import { testDatabaseKinds } from "../testing/test-deps.ts";
import { useSeededDeps } from "../testing/use-deps.ts";
import { callToken, passwordParams } from "../testing/token-calls.ts";
import { createApi, createConnection, getConnectionsView, setDefaultDirectory } from "./directory.ts";
import { insertUsers } from "../store/users.ts";
import type { TAdmin } from "./session.ts";
import { findConnectionByName } from "../store/connections.ts";

const admin: TAdmin = { id: "adm_1", email: "owner@example.com", role: "owner", totpEnabled: false };

describe.each(testDatabaseKinds())("admin: connections and APIs (%s)", (kind) => {
  const t = useSeededDeps(kind);

  it("a new connection made the default directory serves grant_type=password", async () => {
    const created = await createConnection(t.deps, admin, {
      name: "Contractors",
      enabled_clients: [t.fx.clients.web.name],
      is_default_directory: true,
    });
    expect(created.id).toMatch(/^con_/);
    const conn = (await findConnectionByName(t.deps.db, "Contractors"))!;
    await insertUsers(
      t.deps.db,
      [
        {
          userId: "auth0|contractor1",
          connectionId: conn.id,
          email: "c1@contract.example",
          passwordHash: await t.deps.hasher.hash("contractor-pass-1"),
        },
      ],
      t.deps.clock.now(),
    );
    const ok = await callToken(t.deps, {
      params: passwordParams(t.fx.clients.web, {
        email: "c1@contract.example",
        password: "contractor-pass-1",
      }),
    });
    expect(ok.status).toBe(200);
    expect(ok.logs[0]?.connection).toBe("Contractors");
    await setDefaultDirectory(t.deps, admin, t.fx.connections.database.name);
    expect((await getConnectionsView(t.deps, admin)).defaultDirectory).toBe(t.fx.connections.database.name);
  });

  it("refuses bad names, unknown applications and duplicates", async () => {
    await expect(createConnection(t.deps, admin, { name: "-bad name" })).rejects.toThrow(/letters, digits/);
    await expect(
      createConnection(t.deps, admin, { name: "Other", enabled_clients: ["Nope"] }),
    ).rejects.toThrow(/Unknown application/);
    await expect(createConnection(t.deps, admin, { name: "Contractors" })).rejects.toThrow(/already exists/);
    await expect(setDefaultDirectory(t.deps, admin, "Missing")).rejects.toThrow(/No such connection/);
  });

  it("an HS256 API's one-time secret verifies the access tokens issued for it", async () => {
    const { signing_secret } = await createApi(t.deps, admin, {
      name: "Legacy 2",
      identifier: "https://legacy2.example/",
      scopes: ["read:x"],
      signing_alg: "HS256",
    });
    expect(signing_secret).toBeTruthy();
    const res = await callToken(t.deps, {
      params: passwordParams(t.fx.clients.web, t.fx.users.alice, { audience: "https://legacy2.example/" }),
    });
    expect(res.status).toBe(200);
    const { payload } = await jwtVerify(
      String(res.body.access_token),
      new TextEncoder().encode(signing_secret),
      { currentDate: t.deps.clock.now() },
    );
    expect(payload).toMatchObject({ aud: "https://legacy2.example/", scope: "read:x" });
    await expect(
      createApi(t.deps, admin, { name: "Dup", identifier: "https://legacy2.example/" }),
    ).rejects.toThrow(/already exists/);
  });
});
