import { describe, expect, it } from "vitest";
import { testDatabaseKinds } from "../testing/test-deps.ts";
import { useSeededDeps } from "../testing/use-deps.ts";
import { createFixtureUser, type TFixtureUser } from "../testing/fixtures.ts";
import { callToken, passwordParams, realmParams } from "../testing/token-calls.ts";
import { str } from "../testing/token-checks.ts";
import { adminOf, countAdminChanges, lastAdminChange } from "../testing/admin-actors.ts";
import { insertAuthenticator } from "../store/mfa-authenticators.ts";
import { takeMfaAttempt } from "../store/mfa-throttles.ts";
import { claimNotification } from "../store/notification-claims.ts";
import { insertAccountTicket } from "../store/account-tickets.ts";
import { insertPasswordHistory } from "../store/password-history.ts";
import { takeSend } from "../store/send-limits.ts";
import { callSignup } from "../testing/dbconnection-calls.ts";
import { listLogs } from "../store/logs.ts";
import { bruteForceNotificationKey } from "../protection/notification-mails.ts";
import { createUser } from "./create-user.ts";
import { deleteUser } from "./delete-user.ts";
import { AdminError } from "./admin-error.ts";

const owner = adminOf("owner");
// Audit history and the mail outbox are records of what happened: they outlive the user (as on Auth0).
const HISTORY_TABLES = new Set(["LogEvent", "Notification"]);

describe.each(testDatabaseKinds())("admin: delete a user (%s)", (kind) => {
  const t = useSeededDeps(kind);

  /** Every row of every table except the history ones, serialized, by table. */
  async function liveRows(): Promise<Record<string, string>> {
    const tables = await t.deps.db.all<{ name: string }>(
      t.deps.db.kind === "sqlite"
        ? `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_prisma%'`
        : `SELECT table_name AS name FROM information_schema.tables
           WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT LIKE '_prisma%'`,
    );
    const out: Record<string, string> = {};
    for (const { name } of tables.filter((x) => !HISTORY_TABLES.has(x.name))) {
      const rows = await t.deps.db.all(`SELECT * FROM "${name}"`);
      out[name] = JSON.stringify(rows, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v));
    }
    return out;
  }

  /** The tables holding any of the user's ids, email or username. */
  async function tablesMentioning(user: TFixtureUser): Promise<string[]> {
    const needles = [
      user.id,
      user.userId,
      user.email.toLowerCase(),
      ...(user.username ? [user.username] : []),
    ];
    return Object.entries(await liveRows())
      .filter(([, rows]) => needles.some((n) => rows.toLowerCase().includes(n.toLowerCase())))
      .map(([name]) => name)
      .sort();
  }

  const login = async (user: TFixtureUser) => {
    const res = await callToken(t.deps, {
      params: passwordParams(t.fx.clients.web, user, {
        audience: t.fx.apis.orders.identifier,
        scope: "openid offline_access",
      }),
    });
    expect(res.status).toBe(200);
    return str(res.body.refresh_token);
  };

  /** A user with everything Portcullis keeps for one: a session, MFA, a brute-force block and its mail claim. */
  async function userWithEverything(): Promise<{ user: TFixtureUser; refreshToken: string }> {
    const user = await createFixtureUser(t.deps, t.fx, {
      connection: "database",
      password: "delete-me-entirely-7",
      username: `doomed${Date.now()}`,
    });
    const refreshToken = await login(user);
    const now = t.deps.clock.now();
    await insertAuthenticator(t.deps.db, {
      id: `auth-${user.id}`,
      publicId: `totp|dev_${user.id}`,
      userId: user.id,
      type: "otp",
      secretEnc: "sealed",
      codeHash: null,
      active: true,
      createdAt: now,
    });
    await takeMfaAttempt(t.deps.db, user.id, now.getTime(), 360_000, 10);
    // Wrong passwords from one IP until the brute-force block (10), for the email and for the username.
    for (const identifier of [user.email, user.username!]) {
      for (let i = 0; i < 10; i++) {
        await callToken(t.deps, {
          socketIp: "203.0.113.77",
          params: passwordParams(t.fx.clients.web, { email: identifier, password: "wrong-password" }),
        });
      }
    }
    await claimNotification(t.deps.db, bruteForceNotificationKey(user.userId), now, now);
    await claimNotification(t.deps.db, `breached|${user.userId}`, now, now);
    // What signup and password reset keep: a reset link, the reset-mail bucket, the password history.
    await insertAccountTicket(t.deps.db, {
      tokenHash: `ticket-${user.id}`,
      kind: "reset_password",
      userId: user.id,
      formToken: "form-token",
      createdAt: now,
      expiresAt: new Date(now.getTime() + 3600_000),
    });
    await takeSend(t.deps.db, `reset_user|${user.id}`, now.getTime(), 60_000, 5);
    await insertPasswordHistory(t.deps.db, user.id, "$argon2id$v=19$old", now, 5);
    return { user, refreshToken };
  }

  it("removes every row kept for the user, in every table; others' rows stay", async () => {
    const { alice } = t.fx.users;
    const aliceToken = await login(alice);
    const { user, refreshToken } = await userWithEverything();
    // The set-up really left the user in each table deletion must clear.
    expect(await tablesMentioning(user)).toEqual([
      "AccountTicket",
      "LoginFailure",
      "MfaAuthenticator",
      "MfaThrottle",
      "NotificationClaim",
      "PasswordHistory",
      "RefreshToken",
      "SendLimit",
      "User",
    ]);
    const before = await liveRows();

    const result = await deleteUser(t.deps, owner, user.userId);
    expect(result).toEqual({
      user_id: user.userId,
      revoked_refresh_tokens: 1,
      removed_authenticators: 1,
      released_blocks: 2,
    });
    expect(await tablesMentioning(user)).toEqual([]);
    // Only the user's rows went: configuration and other users are as they were.
    const after = await liveRows();
    for (const table of ["Client", "Connection", "ResourceServer", "Tenant", "SigningKey"])
      expect(after[table], table).toBe(before[table]);
    const refreshed = await callToken(t.deps, {
      params: {
        grant_type: "refresh_token",
        client_id: t.fx.clients.web.clientId,
        client_secret: t.fx.clients.web.secret,
        refresh_token: refreshToken,
      },
    });
    expect({ status: refreshed.status, error: refreshed.body.error }).toEqual({
      status: 403,
      error: "invalid_grant",
    });
    const aliceRefresh = await callToken(t.deps, {
      params: {
        grant_type: "refresh_token",
        client_id: t.fx.clients.web.clientId,
        client_secret: t.fx.clients.web.secret,
        refresh_token: aliceToken,
      },
    });
    expect(aliceRefresh.status).toBe(200);
  });

  it("is audited: Auth0's sdu record and the admin change, in the same transaction as the deletion", async () => {
    const user = await createFixtureUser(t.deps, t.fx, {
      connection: "customers",
      password: "audit-me-please-3",
    });
    t.deps.clock.advance(1000); // the newest admin change is this one
    await deleteUser(t.deps, adminOf("admin"), user.userId);
    const sdu = (await listLogs(t.deps.db, { type: "sdu", take: 100 })).find(
      (l) => l.user_id === user.userId,
    );
    expect(sdu).toMatchObject({
      type: "sdu",
      user_id: user.userId,
      user_name: user.email,
      connection: t.fx.connections.customers.name,
      connection_id: t.fx.connections.customers.connectionId,
    });
    expect(sdu?.details).toMatchObject({ actor: { email: "admin@example.com", role: "admin" } });
    const change = await lastAdminChange(t.deps, "delete user");
    expect(change?.details).toMatchObject({
      actor: { role: "admin" },
      target: user.userId,
      before: { email: user.email, connection: t.fx.connections.customers.name },
      after: { deleted: true, user_id: user.userId },
    });
  });

  it("frees the email: the same address can be created again and logs in as a new user", async () => {
    const { user } = await userWithEverything();
    const { user_id: oldId } = { user_id: user.userId };
    await expect(
      createUser(t.deps, owner, {
        connection: t.fx.connections.database.name,
        email: user.email,
        password: "Second-Life-Password-1",
      }),
    ).rejects.toMatchObject({ status: 409 });
    await deleteUser(t.deps, owner, oldId);
    const again = await createUser(t.deps, owner, {
      connection: t.fx.connections.database.name,
      email: user.email,
      username: user.username!,
      password: "Second-Life-Password-1",
    });
    expect(again.user_id).not.toBe(oldId);
    // No block carried over from the old account: the first try from the blocked IP succeeds.
    const res = await callToken(t.deps, {
      socketIp: "203.0.113.77",
      params: realmParams(
        t.fx.clients.web,
        { email: user.email, password: "Second-Life-Password-1" },
        t.fx.connections.database.name,
      ),
    });
    expect(res.status).toBe(200);
  });

  it("frees the email for POST /dbconnections/signup: the new user signs up and logs in", async () => {
    const { user } = await userWithEverything();
    const signup = () =>
      callSignup(t.deps, {
        socketIp: "198.51.100.17",
        body: {
          client_id: t.fx.clients.spa.clientId,
          connection: t.fx.connections.database.name,
          email: user.email,
          username: user.username!,
          password: "Signed-Up-Again-2",
        },
      });
    const before = await signup();
    expect(before.body).toMatchObject({ code: "user_exists" });
    await deleteUser(t.deps, owner, user.userId);
    const res = await signup();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ email: user.email.toLowerCase(), username: user.username });
    const newId = `auth0|${String((res.body as { _id: string })._id)}`;
    expect(newId).not.toBe(user.userId);
    expect(res.logs.map((l) => [l.type, l.user_id])).toEqual([["ss", newId]]);
    // From the IP the old account was blocked from, by email and by username: no block carried over.
    for (const identifier of [user.email, user.username!]) {
      const login = await callToken(t.deps, {
        socketIp: "203.0.113.77",
        params: passwordParams(t.fx.clients.web, { email: identifier, password: "Signed-Up-Again-2" }),
      });
      expect(login.status, identifier).toBe(200);
    }
  });

  it("an unknown user is 404 inexistent_user; a role without users:write is refused with nothing changed", async () => {
    await expect(deleteUser(t.deps, owner, "auth0|no-such-user")).rejects.toMatchObject({
      status: 404,
      code: "inexistent_user",
    });
    const user = await createFixtureUser(t.deps, t.fx, {
      connection: "database",
      password: "keep-me-around-5",
    });
    const changes = await countAdminChanges(t.deps);
    for (const role of ["security", "rules-editor", "viewer"] as const) {
      await expect(deleteUser(t.deps, adminOf(role), user.userId)).rejects.toStrictEqual(
        AdminError.forbidden(),
      );
    }
    expect(await countAdminChanges(t.deps)).toBe(changes);
    expect(await tablesMentioning(user)).toEqual(["User"]);
    // Deleting twice: the second is a 404 and records nothing.
    await deleteUser(t.deps, owner, user.userId);
    await expect(deleteUser(t.deps, owner, user.userId)).rejects.toMatchObject({ status: 404 });
    expect(await countAdminChanges(t.deps)).toBe(changes + 1);
  });
});
