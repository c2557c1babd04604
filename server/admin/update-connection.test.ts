import { describe, expect, it } from "vitest";
import { testDatabaseKinds } from "../testing/test-deps.ts";
import { useSeededDeps } from "../testing/use-deps.ts";
import { callToken, passwordParams, realmParams } from "../testing/token-calls.ts";
import { adminOf, countAdminChanges, lastAdminChange } from "../testing/admin-actors.ts";
import { getConnection } from "./get-connection.ts";
import { updateConnection } from "./update-connection.ts";
import { AdminError } from "./admin-error.ts";

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
});
