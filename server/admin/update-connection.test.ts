import { describe, expect, it } from "vitest";
import { testDatabaseKinds } from "../testing/test-deps.ts";
import { useSeededDeps } from "../testing/use-deps.ts";
import { callToken, passwordParams, realmParams } from "../testing/token-calls.ts";
import { adminOf, countAdminChanges, lastAdminChange } from "../testing/admin-actors.ts";
import { getConnection } from "./get-connection.ts";
import { updateConnection } from "./update-connection.ts";
import { AdminError } from "./admin-error.ts";
import { createUser } from "./create-user.ts";
import { setUserPassword } from "./set-user-password.ts";
import { findConnectionByConnectionId } from "../store/connections.ts";

const owner = adminOf("owner");

describe.each(testDatabaseKinds())("admin: edit a connection (%s)", (kind) => {
  const t = useSeededDeps(kind);

  it("renamed and made the default directory, it serves the new realm and grant_type=password; audited", async () => {
    const dana = t.fx.users.danaEmployee;
    const id = t.fx.connections.employees.connectionId;
    expect(
      (await callToken(t.deps, { params: realmParams(t.fx.clients.web, dana, "Employees") })).status,
    ).toBe(200);
    await updateConnection(t.deps, owner, id, { name: "Staff", is_default_directory: true });
    expect((await callToken(t.deps, { params: realmParams(t.fx.clients.web, dana, "Staff") })).status).toBe(
      200,
    );
    expect(
      (await callToken(t.deps, { params: realmParams(t.fx.clients.web, dana, "Employees") })).status,
    ).not.toBe(200);
    expect((await callToken(t.deps, { params: passwordParams(t.fx.clients.web, dana) })).status).toBe(200);
    expect(await getConnection(t.deps, owner, id)).toMatchObject({ name: "Staff", isDefaultDirectory: true });
    const audit = await lastAdminChange(t.deps, "update connection");
    expect(audit?.details).toMatchObject({
      actor: { email: owner.email, role: "owner" },
      target: id,
      before: { name: "Employees", is_default_directory: false },
      after: { name: "Staff", is_default_directory: true },
    });
    // Put the fixture's default directory back for the tests below.
    await updateConnection(t.deps, owner, t.fx.connections.database.connectionId, {
      is_default_directory: true,
    });
    expect((await getConnection(t.deps, owner, id))?.isDefaultDirectory).toBe(false);
  });

  it("the applications that may use a connection follow its checkbox list", async () => {
    const id = t.fx.connections.customers.connectionId;
    const dana = t.fx.users.danaCustomer;
    const login = () => callToken(t.deps, { params: realmParams(t.fx.clients.web, dana, "Customers") });
    expect((await login()).status).toBe(200);
    await updateConnection(t.deps, owner, id, { enabled_clients: [t.fx.clients.basic.name] });
    expect((await login()).status).not.toBe(200);
    expect((await getConnection(t.deps, owner, id))?.enabledClients).toEqual([t.fx.clients.basic.name]);
    await updateConnection(t.deps, owner, id, {
      enabled_clients: [t.fx.clients.basic.name, t.fx.clients.web.name],
    });
    expect((await login()).status).toBe(200);
  });

  it("refuses invalid edits with the field at fault, and changes and records nothing", async () => {
    const id = t.fx.connections.partners.connectionId;
    const before = await getConnection(t.deps, owner, id);
    const audits = await countAdminChanges(t.deps);
    const refusals: [unknown, string, RegExp][] = [
      [{ name: "-bad name" }, "name", /letters, digits/],
      [{ name: "Customers" }, "name", /already exists/],
      [{ enabled_clients: ["Nope"] }, "enabled_clients", /Unknown application/],
      [{ strategy: "ldap" }, "", /unknown field/],
      [{ is_default_directory: "yes" }, "is_default_directory", /./],
      [{ options: { passwordPolicy: "strongest" } }, "options", /expected one of/],
      [{ options: { password_history: { enable: true, size: 25 } } }, "options", /24/],
      [{ options: { password_complexity_options: { min_length: 0 } } }, "", /min_length/],
      [
        { options: { password_dictionary: { enable: true, dictionary: Array(201).fill("w") } } },
        "",
        /dictionary/,
      ],
      [{ options: { customScripts: {} } }, "", /customScripts/],
    ];
    for (const [body, field, message] of refusals) {
      const err = await updateConnection(t.deps, owner, id, body).catch((e: unknown) => e);
      expect(err, JSON.stringify(body)).toBeInstanceOf(AdminError);
      expect((err as AdminError).message).toMatch(message);
      if (field) expect((err as AdminError).fields?.[field]).toMatch(message);
    }
    await expect(updateConnection(t.deps, owner, "con_missing", { name: "X" })).rejects.toMatchObject({
      status: 404,
    });
    expect(await getConnection(t.deps, owner, id)).toEqual(before);
    expect(await countAdminChanges(t.deps)).toBe(audits);
  });

  it("roles without config:write are refused (403) and nothing changes", async () => {
    const id = t.fx.connections.partners.connectionId;
    const before = await getConnection(t.deps, owner, id);
    for (const role of ["viewer", "security", "rules-editor"] as const) {
      await expect(
        updateConnection(t.deps, adminOf(role), id, { enabled_clients: [t.fx.clients.web.name] }),
      ).rejects.toStrictEqual(AdminError.forbidden());
    }
    expect(await getConnection(t.deps, owner, id)).toEqual(before);
  });

  it("saves the password policy in Auth0's option names, keeps other options, audits, and enforces it", async () => {
    const id = t.fx.connections.employees.connectionId;
    const dana = t.fx.users.danaEmployee;
    t.deps.clock.advance(1000);
    await updateConnection(t.deps, owner, id, {
      options: {
        passwordPolicy: "excellent",
        password_complexity_options: { min_length: 12 },
        password_history: { enable: true, size: 2 },
        password_no_personal_info: { enable: true },
        password_dictionary: { enable: true, dictionary: ["Acme-Widgets-2026"] },
        disable_signup: true,
        send_verification_email: false,
      },
    });
    const stored = await findConnectionByConnectionId(t.deps.db, id);
    expect(stored?.options).toMatchObject({
      passwordPolicy: "excellent",
      password_complexity_options: { min_length: 12 },
      password_history: { enable: true, size: 2 },
      disable_signup: true,
    });
    const view = await getConnection(t.deps, owner, id);
    expect(view?.passwordOptions).toMatchObject({
      passwordPolicy: "excellent",
      disable_signup: true,
      send_verification_email: false,
    });
    expect(view?.passwordRules).toMatch(/^\* At least 12 characters in length/);
    expect((await lastAdminChange(t.deps, "update connection"))?.details).toMatchObject({
      before: { options: {} },
      after: { options: { passwordPolicy: "excellent", password_history: { enable: true, size: 2 } } },
    });

    // Every admin entry point now answers with the policy's refusal, its rules listed.
    const refuse = async (p: Promise<unknown>, message: RegExp, name: string) => {
      const err = await p.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AdminError);
      expect((err as AdminError).message).toMatch(message);
      expect((err as AdminError).fields?.password).toMatch(message);
      expect((err as AdminError).details).toMatchObject({ name, code: "invalid_password" });
    };
    await refuse(
      setUserPassword(t.deps, owner, dana.userId, "Hello12345!"),
      /At least 12 characters/,
      "PasswordStrengthError",
    );
    await refuse(
      setUserPassword(t.deps, owner, dana.userId, "ACME-WIDGETS-2026"),
      /too common/,
      "PasswordDictionaryError",
    );
    const local = dana.email.split("@")[0]!;
    await refuse(
      setUserPassword(t.deps, owner, dana.userId, `X9!${local}-Zz-long`),
      /user information/,
      "PasswordNoUserInfoError",
    );
    await refuse(
      createUser(t.deps, owner, {
        connection: view!.name,
        email: "carol.jones@example.com",
        password: "Carol.Jones-2026!",
      }),
      /user information/,
      "PasswordNoUserInfoError",
    );
    // History: the last two passwords set are refused, the one before is accepted again.
    for (const p of ["First-Secret-001", "Second-Secret-02", "Third-Secret-003"]) {
      t.deps.clock.advance(1000);
      await setUserPassword(t.deps, owner, dana.userId, p);
    }
    await refuse(
      setUserPassword(t.deps, owner, dana.userId, "Third-Secret-003"),
      /previously been used/,
      "PasswordHistoryError",
    );
    await refuse(
      setUserPassword(t.deps, owner, dana.userId, "Second-Secret-02"),
      /previously been used/,
      "PasswordHistoryError",
    );
    t.deps.clock.advance(1000);
    await setUserPassword(t.deps, owner, dana.userId, "First-Secret-001");
    // A created user's first password starts the history.
    const { user_id } = await createUser(t.deps, owner, {
      connection: view!.name,
      email: "new.hire@example.com",
      password: "Welcome-Aboard-77",
    });
    await refuse(
      setUserPassword(t.deps, owner, user_id, "Welcome-Aboard-77"),
      /previously been used/,
      "PasswordHistoryError",
    );
    await updateConnection(t.deps, owner, id, {
      options: { passwordPolicy: null, password_history: { enable: false } },
    });
    await setUserPassword(t.deps, owner, user_id, "Welcome-Aboard-77");
  });
});
