import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { testDatabaseKinds } from "../testing/test-deps.ts";
import { useFreshDeps } from "../testing/use-deps.ts";
import { findConnectionByName } from "../store/connections.ts";
import { checkNewPassword } from "../auth/password-policy.ts";
import { importTenant } from "./import-tenant.ts";
import { exportTenant } from "./export-tenant.ts";

const YAML = `
databases:
  - name: Policy-DB
    options:
      requires_username: true
      passwordPolicy: excellent
      password_complexity_options:
        min_length: 14
      password_history:
        enable: true
        size: 7
      password_no_personal_info:
        enable: true
      password_dictionary:
        enable: true
        dictionary: [Portcullis-Rocks-2026]
      disable_signup: true
      send_verification_email: false
`;

describe.each(testDatabaseKinds())("tenant YAML: a connection's password policy (%s)", (kind) => {
  const fresh = useFreshDeps(kind);

  it("imports Auth0's password options, enforces them, and exports them unchanged", async () => {
    const deps = await fresh();
    await importTenant(deps, YAML);
    const connection = (await findConnectionByName(deps.db, "Policy-DB"))!;
    const check = (password: string) => checkNewPassword(deps, { connection, password, user: {} });
    expect(await check("Hello-12345")).toMatchObject({ name: "PasswordStrengthError" });
    expect(await check("PORTCULLIS-ROCKS-2026")).toMatchObject({ name: "PasswordDictionaryError" });
    expect(await check("Correct-Horse-2026")).toBeNull();

    const exported = await exportTenant(deps);
    const db = (parse(exported) as { databases: { name: string; options: unknown }[] }).databases.find(
      (d) => d.name === "Policy-DB",
    );
    expect(db?.options).toEqual(parse(YAML).databases[0].options);
    const again = await fresh();
    await importTenant(again, exported);
    expect(await exportTenant(again)).toBe(exported);
  });

  it("refuses password options that are not Auth0's shape, by path, and changes nothing", async () => {
    const deps = await fresh();
    const bad = YAML.replace("size: 7", "size: 99")
      .replace("passwordPolicy: excellent", "passwordPolicy: strong")
      .replace("send_verification_email: false", 'send_verification_email: "no"');
    const err = await importTenant(deps, bad).catch((e: unknown) => e);
    expect(String(err)).toMatch(/databases\[0\]\.options\.send_verification_email/);
    expect(String(err)).toMatch(/databases\[0\]\.options\.passwordPolicy/);
    expect(String(err)).toMatch(/databases\[0\]\.options\.password_history\.size/);
    expect(await findConnectionByName(deps.db, "Policy-DB")).toBeNull();
  });
});
