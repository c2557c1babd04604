import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManagementApiError, ManagementClient } from "auth0";
import { testDatabaseKinds } from "../../testing/test-deps.ts";
import { UNTHROTTLED_MANAGEMENT_API, useSeededDeps } from "../../testing/use-deps.ts";
import { callToken, passwordParams } from "../../testing/token-calls.ts";
import {
  managementToken,
  startManagementServer,
  type TManagementServer,
} from "../../testing/management-calls.ts";

// node-auth0's ManagementClient (the SDK, unchanged) against the users endpoints: its paths, query strings and
// bodies are what our server reads, and our answers parse into its types and errors.

describe.each(testDatabaseKinds())("node-auth0 ManagementClient on the users endpoints (%s)", (kind) => {
  const t = useSeededDeps(kind, UNTHROTTLED_MANAGEMENT_API);
  let api: TManagementServer;
  let client: ManagementClient;
  beforeAll(async () => {
    api = await startManagementServer(t.deps);
    const token = await managementToken(t.deps, t.fx.clients.noPassword, [
      "read:users",
      "create:users",
      "update:users",
      "delete:users",
      "delete:guardian_enrollments",
      "create:user_tickets",
    ]);
    client = new ManagementClient({
      domain: "portcullis.test",
      token,
      fetch: (url: RequestInfo | URL, init?: RequestInit) =>
        fetch(String(url).replace("https://portcullis.test", api.baseUrl), init),
    });
  });
  afterAll(async () => {
    await api.close();
  });

  it("creates, reads, finds by email, updates, resets MFA, tickets, unblocks and deletes a user", async () => {
    const { data: created, status } = await client.users.create({
      connection: t.fx.connections.database.name,
      email: "sdk.user@example.com",
      password: "Velvet-Compass-Rain-31",
      user_metadata: { a: 1, b: 2 },
      verify_email: false,
    });
    expect(status).toBe(201);
    expect(created).toMatchObject({ email: "sdk.user@example.com", email_verified: false, logins_count: 0 });
    const id = created.user_id;

    expect((await client.users.get({ id, fields: "user_id,email" })).data).toEqual({
      user_id: id,
      email: "sdk.user@example.com",
    });
    const found = await client.usersByEmail.getByEmail({ email: "SDK.User@example.com" });
    expect(found.data.map((u) => u.user_id)).toEqual([id]);

    const updated = await client.users.update({ id }, { user_metadata: { a: null, c: 3 }, name: "Sdk User" });
    expect(updated.data).toMatchObject({ name: "Sdk User", user_metadata: { b: 2, c: 3 } });
    await client.users.update(
      { id },
      { password: "Amber-Lighthouse-Sky-64", connection: t.fx.connections.database.name },
    );
    const login = await callToken(t.deps, {
      params: passwordParams(t.fx.clients.web, {
        email: "sdk.user@example.com",
        password: "Amber-Lighthouse-Sky-64",
      }),
    });
    expect(login.status).toBe(200);

    expect((await client.users.deleteAllAuthenticators({ id })).status).toBe(204);
    expect((await client.userBlocks.get({ id })).data).toEqual({ blocked_for: [] });
    expect((await client.userBlocks.getAll({ identifier: "sdk.user@example.com" })).data).toEqual({
      blocked_for: [],
    });
    expect((await client.userBlocks.delete({ id })).status).toBe(204);
    expect((await client.userBlocks.deleteAll({ identifier: "sdk.user@example.com" })).status).toBe(204);
    const ticket = await client.tickets.changePassword({ user_id: id, ttl_sec: 600 });
    expect(ticket.data.ticket).toMatch(/^https:\/\/portcullis\.test\//);

    expect((await client.users.delete({ id })).status).toBe(204);
    const missing = await client.users.get({ id }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ManagementApiError);
    expect(missing).toMatchObject({
      statusCode: 404,
      errorCode: "inexistent_user",
      message: "The user does not exist.",
    });
    const clash = await client.users
      .create({
        connection: t.fx.connections.database.name,
        email: "alice@example.com",
        password: "Velvet-Compass-Rain-31",
      })
      .catch((e: unknown) => e);
    expect(clash).toMatchObject({ statusCode: 409, message: "The user already exists." });
  });
});
