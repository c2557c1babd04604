import { beforeAll, describe, expect, it } from "vitest";
import { testDatabaseKinds } from "../testing/test-deps.ts";
import { useSeededDeps } from "../testing/use-deps.ts";
import { callToken, realmParams } from "../testing/token-calls.ts";
import { serializedAuditRows } from "../testing/stored-rows.ts";
import { adminOf, countAdminChanges, lastAdminChange } from "../testing/admin-actors.ts";
import { findUserByUserId } from "../store/users.ts";
import { updateAttackProtection } from "./protection/update-attack-protection.ts";
import { createUser } from "./create-user.ts";
import { updateUser } from "./update-user.ts";
import { setUserPassword } from "./set-user-password.ts";
import { AdminError } from "./admin-error.ts";
import { updateConnection } from "./update-connection.ts";

const owner = adminOf("owner");

describe.each(testDatabaseKinds())("admin: create and edit users, set passwords (%s)", (kind) => {
  const t = useSeededDeps(kind);
  const countUsers = async () =>
    Number((await t.deps.db.all<{ n: number | string }>(`SELECT COUNT(*) AS n FROM "User"`))[0]?.n);
  beforeAll(async () => {
    await updateAttackProtection(t.deps, owner, "breached-password-detection", {
      enabled: true,
      shields: [],
    });
    for (const c of [t.fx.connections.customers, t.fx.connections.employees]) {
      await updateConnection(t.deps, owner, c.connectionId, { options: { passwordPolicy: "good" } });
    }
  });

  const loginAs = (email: string, password: string, realm: string) =>
    callToken(t.deps, { params: realmParams(t.fx.clients.web, { email, password }, realm) });

  it("creates a user who can log in with the chosen password; audited without password or hash", async () => {
    const password = "Correct-Horse-Battery-9";
    const { user_id } = await createUser(t.deps, owner, {
      connection: "Customers",
      email: "New.Customer@Example.com",
      name: "New Customer",
      user_metadata: { plan: "gold" },
      password,
    });
    expect(user_id).toMatch(/^auth0\|[0-9a-f]{24}$/);
    const ok = await loginAs("new.customer@example.com", password, "Customers");
    expect(ok.status).toBe(200);
    const stored = await findUserByUserId(t.deps.db, user_id);
    expect(stored).toMatchObject({ email: "new.customer@example.com", userMetadata: { plan: "gold" } });
    const audit = await lastAdminChange(t.deps, "create user");
    expect(audit?.details).toMatchObject({
      actor: { email: owner.email, role: "owner" },
      target: user_id,
      before: null,
      after: { email: "new.customer@example.com", connection: "Customers", user_metadata: { plan: "gold" } },
    });
    const rows = await serializedAuditRows(t.deps);
    expect(rows).not.toContain(password);
    expect(rows).not.toContain(stored!.passwordHash!);
    expect(rows).not.toContain("$argon2");
  });

  it("refuses a bad new user with the field at fault (password policy, breached list too); creates nothing", async () => {
    const users = await countUsers();
    const audits = await countAdminChanges(t.deps);
    const good = { connection: "Customers", email: "someone@example.com", password: "Str0ng-enough-pass" };
    const refusals: [unknown, string, RegExp][] = [
      [{ ...good, password: "short" }, "password", /Password is too weak: At least 8 characters in length/],
      [{ ...good, password: "password123" }, "password", /too weak.*upper case letters/],
      [{ ...good, password: "Password123" }, "password", /breached/],
      [{ ...good, connection: "Nowhere" }, "connection", /No such connection/],
      [{ ...good, email: undefined }, "email", /email or a username/],
      [{ ...good, email: "not-an-email" }, "email", /email/],
      [{ ...good, email: t.fx.users.danaCustomer.email }, "email", /already exists/],
      [{ ...good, user_metadata: [1, 2] }, "user_metadata", /JSON object/],
      [{ ...good, app_metadata: { user_id: "x" } }, "app_metadata", /must not contain/],
      [{ ...good, password_hash: "$2b$10$abc" }, "", /unknown field/],
    ];
    for (const [body, field, message] of refusals) {
      const err = await createUser(t.deps, owner, body).catch((e: unknown) => e);
      expect(err, JSON.stringify(body)).toBeInstanceOf(AdminError);
      expect((err as AdminError).message, JSON.stringify(body)).toMatch(message);
      if (field) expect((err as AdminError).fields?.[field], JSON.stringify(body)).toMatch(message);
    }
    expect(await countUsers()).toBe(users);
    expect(await countAdminChanges(t.deps)).toBe(audits);
  });

  it("edits profile fields and metadata; the audit shows only what changed, before and after", async () => {
    const alice = t.fx.users.alice;
    await updateUser(t.deps, owner, alice.userId, {
      name: "Alice P. Liddell",
      user_metadata: { theme: "dark", languages: ["en", "fr"] },
      app_metadata: { plan: "pro" },
      // Unchanged: sent by the form, left out of the audit.
      email_verified: true,
    });
    const stored = await findUserByUserId(t.deps.db, alice.userId);
    expect(stored).toMatchObject({
      name: "Alice P. Liddell",
      emailVerified: true,
      userMetadata: { theme: "dark", languages: ["en", "fr"] },
      appMetadata: { plan: "pro" },
    });
    const audit = await lastAdminChange(t.deps, "update user");
    expect(audit?.details?.before).toEqual({ name: "Alice Liddell", user_metadata: {}, app_metadata: {} });
    expect(audit?.details?.after).toEqual({
      name: "Alice P. Liddell",
      user_metadata: { theme: "dark", languages: ["en", "fr"] },
      app_metadata: { plan: "pro" },
    });
    expect(JSON.stringify(audit)).not.toContain("password");
    // A new email is the login name from then on.
    await updateUser(t.deps, owner, alice.userId, { email: "alice.new@example.com" });
    expect((await loginAs("alice.new@example.com", alice.password, alice.connection)).status).toBe(200);
    await updateUser(t.deps, owner, alice.userId, { email: alice.email });
  });

  it("refuses bad edits (non-object metadata, duplicates, no login name) and changes nothing", async () => {
    const alice = t.fx.users.alice;
    const before = await findUserByUserId(t.deps.db, alice.userId);
    const audits = await countAdminChanges(t.deps);
    const [other] = await t.deps.db.all<{ email: string }>(
      `SELECT "email" FROM "User" WHERE "connectionId" = ? AND "userId" <> ? AND "email" IS NOT NULL LIMIT 1`,
      [t.fx.connections.database.id, alice.userId],
    );
    if (!other) throw new Error("the fixture has a second user with an email");
    const refusals: [unknown, string, RegExp][] = [
      [{ user_metadata: [] }, "user_metadata", /JSON object/],
      [{ user_metadata: "text" }, "user_metadata", /JSON object/],
      [{ user_metadata: null }, "user_metadata", /JSON object/],
      [{ app_metadata: { loginsCount: 3 } }, "app_metadata", /must not contain/],
      [{ email: other.email }, "email", /already exists/],
      [{ email: "", username: "" }, "email", /email or a username/],
      [{ picture: "not a url" }, "picture", /URL/],
      [{ password_hash: "x" }, "", /unknown field/],
    ];
    for (const [body, field, message] of refusals) {
      const err = await updateUser(t.deps, owner, alice.userId, body).catch((e: unknown) => e);
      expect(err, JSON.stringify(body)).toBeInstanceOf(AdminError);
      expect((err as AdminError).message, JSON.stringify(body)).toMatch(message);
      if (field) expect((err as AdminError).fields?.[field], JSON.stringify(body)).toMatch(message);
    }
    await expect(updateUser(t.deps, owner, "auth0|nobody", { name: "X" })).rejects.toMatchObject({
      status: 404,
    });
    expect(await findUserByUserId(t.deps.db, alice.userId)).toEqual(before);
    expect(await countAdminChanges(t.deps)).toBe(audits);
  });

  it("setting a password lets the user log in with it; audited with the actor, never the password or hash", async () => {
    const dana = t.fx.users.danaEmployee;
    const password = "Brand-new-Passphrase-42";
    const audits = await countAdminChanges(t.deps);
    await expect(setUserPassword(t.deps, owner, dana.userId, "Password123")).rejects.toThrow(/breached/);
    await expect(setUserPassword(t.deps, owner, dana.userId, "short")).rejects.toBeInstanceOf(AdminError);
    expect(await countAdminChanges(t.deps)).toBe(audits);
    expect((await loginAs(dana.email, dana.password, "Employees")).status).toBe(200);

    await setUserPassword(t.deps, adminOf("admin"), dana.userId, password);
    expect((await loginAs(dana.email, password, "Employees")).status).toBe(200);
    expect((await loginAs(dana.email, dana.password, "Employees")).status).not.toBe(200);
    const audit = await lastAdminChange(t.deps, "set user password");
    expect(audit?.details).toMatchObject({
      actor: { email: "admin@example.com", role: "admin" },
      target: dana.userId,
      after: { released_blocks: 0 },
    });
    const stored = await findUserByUserId(t.deps.db, dana.userId);
    const rows = await serializedAuditRows(t.deps);
    expect(rows).not.toContain(password);
    expect(rows).not.toContain(stored!.passwordHash!);
  });

  it("roles without users:write are refused (403) and nothing changes", async () => {
    const alice = t.fx.users.alice;
    const before = await findUserByUserId(t.deps.db, alice.userId);
    const users = await countUsers();
    for (const role of ["viewer", "security", "rules-editor"] as const) {
      const who = adminOf(role);
      await expect(updateUser(t.deps, who, alice.userId, { name: "Mallory" })).rejects.toStrictEqual(
        AdminError.forbidden(),
      );
      await expect(
        createUser(t.deps, who, {
          connection: "Customers",
          email: "m@example.com",
          password: "Str0ng-enough-pass",
        }),
      ).rejects.toStrictEqual(AdminError.forbidden());
      await expect(setUserPassword(t.deps, who, alice.userId, "Str0ng-enough-pass")).rejects.toStrictEqual(
        AdminError.forbidden(),
      );
    }
    expect(await findUserByUserId(t.deps.db, alice.userId)).toEqual(before);
    expect(await countUsers()).toBe(users);
  });
});
