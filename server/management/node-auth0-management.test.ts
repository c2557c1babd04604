import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManagementApiError, ManagementClient } from "auth0";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { seedFixture, type TFixture } from "../testing/fixtures.ts";
import { callToken, passwordParams } from "../testing/token-calls.ts";
import {
  managementToken,
  startManagementServer,
  type TManagementServer,
} from "../testing/management-calls.ts";
import { insertLog } from "../store/logs.ts";
import { updateAttackProtection } from "../admin/protection/update-attack-protection.ts";

// The issue's acceptance: node-auth0's ManagementClient, unchanged, with a client id and secret (it gets its own
// client_credentials token for https://<domain>/api/v2/), drives users (search, get, create, update, delete),
// users-by-email, user-blocks (a real brute-force block listed then lifted), logs (q and checkpoints), and is
// refused a call its grant does not cover. Its base URL is always https://<domain>; the fetch below sends the
// same request to our loopback server instead of resolving DNS and speaking TLS.

const OWNER = { id: "adm_owner", email: "owner@example.com", role: "owner" as const };
const SCOPES = ["read:users", "create:users", "update:users", "delete:users", "read:logs"];

describe.each(testDatabaseKinds())("node-auth0 ManagementClient with client credentials (%s)", (kind) => {
  let deps: TTestDeps;
  let fx: TFixture;
  let api: TManagementServer;
  let management: ManagementClient;
  const fetchVia = (url: RequestInfo | URL, init?: RequestInit) =>
    fetch(String(url).replace("https://portcullis.test", api.baseUrl), init);

  beforeAll(async () => {
    deps = await createTestDeps(kind, { MANAGEMENT_API_BURST: "1000" });
    fx = await seedFixture(deps);
    api = await startManagementServer(deps);
    // The grant (the token it makes here is thrown away: the SDK asks for its own).
    await managementToken(deps, fx.clients.noPassword, SCOPES);
    await updateAttackProtection(deps, OWNER, "brute-force-protection", { max_attempts: 3 });
    management = new ManagementClient({
      domain: "portcullis.test",
      clientId: fx.clients.noPassword.clientId,
      clientSecret: fx.clients.noPassword.secret,
      fetch: fetchVia,
    });
  });
  afterAll(async () => {
    await api.close();
    await deps.cleanup();
  });

  it("creates, searches, gets, updates and deletes users, and finds them by email", async () => {
    const { data: created } = await management.users.create({
      connection: fx.connections.database.name,
      email: "grace.hopper@example.com",
      password: "Cobol-Compiler-Navy-1906",
      given_name: "Grace",
      app_metadata: { plan: "gold" },
      verify_email: false,
    });
    expect(created).toMatchObject({
      email: "grace.hopper@example.com",
      given_name: "Grace",
      app_metadata: { plan: "gold" },
      identities: [{ connection: fx.connections.database.name, provider: "auth0", isSocial: false }],
    });
    const id = created.user_id!;

    const search = await management.users.getAll({
      q: 'app_metadata.plan:"gold" AND email:grace*',
      search_engine: "v3",
      include_totals: true,
    });
    expect(search.data.users.map((u) => u.user_id)).toEqual([id]);
    expect(search.data.total).toBe(1);
    const everyone = await management.users.getAll({ per_page: 2, page: 0, sort: "created_at:1" });
    expect(everyone.data).toHaveLength(2);

    expect((await management.users.get({ id })).data).toMatchObject({ user_id: id, given_name: "Grace" });
    expect((await management.usersByEmail.getByEmail({ email: "Grace.Hopper@example.com" })).data).toEqual([
      expect.objectContaining({ user_id: id }),
    ]);

    const updated = await management.users.update(
      { id },
      { user_metadata: { theme: "dark" }, app_metadata: { plan: null, tier: 2 }, family_name: "Hopper" },
    );
    expect(updated.data).toMatchObject({
      family_name: "Hopper",
      user_metadata: { theme: "dark" },
      app_metadata: { tier: 2 },
    });
    expect(updated.data.app_metadata).not.toHaveProperty("plan");

    expect((await management.users.delete({ id })).status).toBe(204);
    await expect(management.users.get({ id })).rejects.toMatchObject({
      statusCode: 404,
      errorCode: "inexistent_user",
      message: "The user does not exist.",
    });
  });

  it("lists a real brute-force block of a user and lifts it; the user then logs in", async () => {
    const alice = fx.users.alice;
    const login = (password: string) =>
      callToken(deps, {
        params: passwordParams(fx.clients.web, { ...alice, password }),
        socketIp: "203.0.113.77",
      });
    for (let i = 0; i < 3; i++) expect((await login("wrong-password")).status).toBe(403);
    expect((await login(alice.password)).status).toBe(429);

    const blocks = await management.userBlocks.get({ id: alice.userId });
    expect(blocks.data.blocked_for).toEqual([
      expect.objectContaining({ identifier: alice.email, ip: "203.0.113.77" }),
    ]);
    expect((await management.userBlocks.delete({ id: alice.userId })).status).toBe(204);
    expect((await management.userBlocks.get({ id: alice.userId })).data.blocked_for).toEqual([]);
    expect((await login(alice.password)).status).toBe(200);
  });

  it("reads logs with q, and follows checkpoints without gaps or repeats", async () => {
    const found = await management.logs.getAll({
      q: `type:fp AND user_id:"${fx.users.alice.userId}"`,
      per_page: 10,
    });
    expect(found.data.length).toBe(3);
    expect(found.data.every((l) => l.type === "fp" && l.user_id === fx.users.alice.userId)).toBe(true);

    // Records old enough to be settled (checkpoints hand out nothing younger than LOG_CHECKPOINT_SETTLE_MS).
    const ids: string[] = [];
    const base = Date.now() - 60 * 60_000;
    for (let i = 0; i < 25; i++)
      ids.push(await insertLog(deps.db, { type: "s", description: `siem ${i}` }, new Date(base + i * 1000)));
    const seen: string[] = [];
    let from: string | undefined;
    for (;;) {
      const page = await management.logs.getAll({ take: 10, ...(from ? { from } : {}) });
      if (page.data.length === 0) break;
      seen.push(...page.data.map((l) => l.log_id!));
      from = page.data.at(-1)!.log_id;
    }
    expect(seen).toEqual(ids);
  });

  it("is refused, in Auth0's error, a call its grant does not cover", async () => {
    const call = management.clientGrants.getAll();
    await expect(call).rejects.toBeInstanceOf(ManagementApiError);
    await expect(call).rejects.toMatchObject({
      statusCode: 403,
      errorCode: "insufficient_scope",
      message: "Insufficient scope, expected any of: read:client_grants",
    });
  });
});
