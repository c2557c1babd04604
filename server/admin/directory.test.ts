import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jwtVerify } from "jose";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { callToken, seedFixture, type TFixture } from "../testing/fixtures.ts";
import { createApi, createConnection, getConnectionsView, setDefaultDirectory } from "./directory.ts";
import { insertUsers } from "../store/users.ts";
import type { TAdmin } from "./session.ts";

const admin: TAdmin = { id: "adm_1", email: "owner@example.com", role: "owner", totpEnabled: false };

describe.each(testDatabaseKinds())("admin: connections and APIs (%s)", (kind) => {
  let deps: TTestDeps;
  let fx: TFixture;
  beforeAll(async () => {
    deps = await createTestDeps(kind);
    fx = await seedFixture(deps);
  });
  afterAll(async () => deps.cleanup());

  it("a new connection made the default directory serves grant_type=password", async () => {
    const created = await createConnection(deps, admin, {
      name: "Contractors",
      enabled_clients: [fx.clients.web.name],
      is_default_directory: true,
    });
    expect(created.id).toMatch(/^con_/);
    const conn = await deps.db.connection.findUniqueOrThrow({ where: { name: "Contractors" } });
    await insertUsers(deps.db, [
      {
        userId: "auth0|contractor1",
        connectionId: conn.id,
        email: "c1@contract.example",
        passwordHash: await deps.hasher.hash("contractor-pass-1"),
      },
    ]);
    const ok = await callToken(deps, {
      params: {
        grant_type: "password",
        client_id: fx.clients.web.clientId,
        client_secret: fx.clients.web.secret,
        username: "c1@contract.example",
        password: "contractor-pass-1",
      },
    });
    expect(ok.status).toBe(200);
    expect(ok.logs[0]?.connection).toBe("Contractors");
    await setDefaultDirectory(deps, admin, fx.connections.database.name);
    expect((await getConnectionsView(deps)).defaultDirectory).toBe(fx.connections.database.name);
  });

  it("refuses bad names, unknown applications and duplicates", async () => {
    await expect(createConnection(deps, admin, { name: "-bad name" })).rejects.toThrow(/letters, digits/);
    await expect(createConnection(deps, admin, { name: "Other", enabled_clients: ["Nope"] })).rejects.toThrow(
      /Unknown application/,
    );
    await expect(createConnection(deps, admin, { name: "Contractors" })).rejects.toThrow(/already exists/);
    await expect(setDefaultDirectory(deps, admin, "Missing")).rejects.toThrow(/No such connection/);
  });

  it("an HS256 API's one-time secret verifies the access tokens issued for it", async () => {
    const { signing_secret } = await createApi(deps, admin, {
      name: "Legacy 2",
      identifier: "https://legacy2.example/",
      scopes: ["read:x"],
      signing_alg: "HS256",
    });
    expect(signing_secret).toBeTruthy();
    const res = await callToken(deps, {
      params: {
        grant_type: "password",
        client_id: fx.clients.web.clientId,
        client_secret: fx.clients.web.secret,
        username: fx.users.alice.email,
        password: fx.users.alice.password,
        audience: "https://legacy2.example/",
      },
    });
    expect(res.status).toBe(200);
    const { payload } = await jwtVerify(
      String(res.body.access_token),
      new TextEncoder().encode(signing_secret),
      { currentDate: deps.clock.now() },
    );
    expect(payload).toMatchObject({ aud: "https://legacy2.example/", scope: "read:x" });
    await expect(
      createApi(deps, admin, { name: "Dup", identifier: "https://legacy2.example/" }),
    ).rejects.toThrow(/already exists/);
  });
});
