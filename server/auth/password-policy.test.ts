import { describe, expect, it } from "vitest";
import { testDatabaseKinds } from "../testing/test-deps.ts";
import { useSeededDeps } from "../testing/use-deps.ts";
import {
  findConnectionByName,
  upsertConnectionByName,
  type TConnectionRecord,
} from "../store/connections.ts";
import {
  checkNewPassword,
  describePasswordPolicy,
  explainPasswordFailure,
  rememberPassword,
  type TPasswordOwner,
} from "./password-policy.ts";

const connectionWith = (options: Record<string, unknown>): TConnectionRecord => ({
  id: "c1",
  connectionId: "con_test",
  name: "Test",
  strategy: "auth0",
  options,
});

// No history is consulted without a userId, so these checks never touch deps.
const noDeps = {} as Parameters<typeof checkNewPassword>[0];
const check = (options: Record<string, unknown>, password: string, user: TPasswordOwner = {}) =>
  checkNewPassword(noDeps, { connection: connectionWith(options), password, user });

describe("password policy: Auth0's strength levels", () => {
  // Auth0's level definitions ("Password Strength in Auth0 Database Connections"), one row per example.
  const table: [string, string, boolean][] = [
    ["none", "", false],
    ["none", "a", true],
    ["low", "12345", false],
    ["low", "123456", true],
    ["fair", "Abcdef1", false],
    ["fair", "abcdefg1", false],
    ["fair", "ABCDEFG1", false],
    ["fair", "Abcdefgh", false],
    ["fair", "Abcdefg1", true],
    ["good", "hello", false],
    ["good", "hello1234", false],
    ["good", "hellohello", false],
    ["good", "hello1234!", true],
    ["good", "Hello123", true],
    ["good", "Hello!!!", true],
    ["good", "hello!!!1", true],
    ["excellent", "Hello1234", false],
    ["excellent", "Hello12345", true],
    ["excellent", "Hello111234", false],
    ["excellent", "hello12345", false],
    ["excellent", "hello1234!", true],
    ["excellent", "Helloo11!x", true],
  ];
  it.each(table)("%s: %j passes = %s", async (level, password, passes) => {
    const failure = await check({ passwordPolicy: level }, password);
    if (passes) expect(failure).toBeNull();
    else expect(failure).toMatchObject({ name: "PasswordStrengthError", code: "invalid_password" });
  });

  it("no passwordPolicy (or null) is Auth0's default, none: any non-empty password", async () => {
    expect(await check({}, "x")).toBeNull();
    expect(await check({ passwordPolicy: null }, "x")).toBeNull();
    expect(await check({}, "")).toMatchObject({ name: "PasswordStrengthError" });
  });

  it("answers Auth0's body for a weak password: the rules with format and verified, and the policy text", async () => {
    expect(await check({ passwordPolicy: "good" }, "hello")).toEqual({
      name: "PasswordStrengthError",
      message: "Password is too weak",
      code: "invalid_password",
      description: {
        rules: [
          {
            message: "At least %d characters in length",
            format: [8],
            code: "lengthAtLeast",
            verified: false,
          },
          {
            message: "Contain at least %d of the following %d types of characters:",
            code: "containsAtLeast",
            format: [3, 4],
            items: [
              { message: "lower case letters (a-z)", code: "lowerCase", verified: true },
              { message: "upper case letters (A-Z)", code: "upperCase", verified: false },
              { message: "numbers (i.e. 0-9)", code: "numbers", verified: false },
              { message: "special characters (e.g. !@#$%^&*)", code: "specialCharacters", verified: false },
            ],
            verified: false,
          },
        ],
        verified: false,
      },
      policy:
        "* At least 8 characters in length\n* Contain at least 3 of the following 4 types of characters:\n" +
        " * lower case letters (a-z)\n * upper case letters (A-Z)\n * numbers (i.e. 0-9)\n" +
        " * special characters (e.g. !@#$%^&*)",
    });
  });

  it("min_length overrides the level's length, up and down", async () => {
    const longer = { passwordPolicy: "good", password_complexity_options: { min_length: 12 } };
    expect(await check(longer, "Hello1234!x")).toMatchObject({ name: "PasswordStrengthError" });
    expect(await check(longer, "Hello1234!xy")).toBeNull();
    const shorter = { passwordPolicy: "fair", password_complexity_options: { min_length: 4 } };
    expect(await check(shorter, "Ab1c")).toBeNull();
    expect(await check(shorter, "Ab1")).toMatchObject({ name: "PasswordStrengthError" });
    expect(describePasswordPolicy(connectionWith(longer))).toMatch(/^\* At least 12 characters in length/);
  });

  it("refuses passwords over 128 characters whatever the level, naming the rule", async () => {
    const failure = await check({}, "a".repeat(129));
    expect(failure).toMatchObject({ name: "PasswordStrengthError" });
    expect(explainPasswordFailure(failure!)).toMatch(/Maximum password length exceeded/);
    expect(await check({}, "a".repeat(128))).toBeNull();
  });

  it("ignores a stored option that is not Auth0's shape instead of refusing every password", async () => {
    expect(await check({ passwordPolicy: "strongest", password_history: "yes" }, "x")).toBeNull();
  });

  it("explains a failure in one line for the dashboard and the CLI", async () => {
    const failure = await check({ passwordPolicy: "fair" }, "abc");
    expect(explainPasswordFailure(failure!)).toBe(
      "Password is too weak: At least 8 characters in length; Should contain: upper case letters (A-Z), numbers (i.e. 0-9).",
    );
  });
});

describe("password policy: dictionary and personal data", () => {
  it("refuses the shipped common passwords and the connection's own words, case-insensitively", async () => {
    const on = { password_dictionary: { enable: true, dictionary: ["Portcullis2026"] } };
    const dictionaryError = {
      name: "PasswordDictionaryError",
      message: "Password is too common",
      code: "invalid_password",
      description: "Password is not allowed, it might be too common.",
    };
    expect(await check(on, "Password")).toEqual(dictionaryError);
    expect(await check(on, "qwerty123")).toEqual(dictionaryError);
    expect(await check(on, "PORTCULLIS2026")).toEqual(dictionaryError);
    expect(await check(on, "portcullis2026!")).toBeNull();
    expect(
      await check({ password_dictionary: { enable: false, dictionary: ["Portcullis2026"] } }, "password"),
    ).toBeNull();
  });

  it("checks strength before the dictionary, as Auth0 lists the rules", async () => {
    const options = { passwordPolicy: "good", password_dictionary: { enable: true } };
    expect(await check(options, "123456")).toMatchObject({ name: "PasswordStrengthError" });
  });

  it("refuses name, username, nickname, given/family name and the email's local part when enabled", async () => {
    const on = { password_no_personal_info: { enable: true } };
    const user = {
      email: "jane.doe@example.com",
      username: "jdoe77",
      name: "Jane Q Public",
      nickname: "janie",
      givenName: "Janet",
      familyName: "Smithers",
    };
    for (const password of [
      "xJANE.DOE!",
      "my-jdoe77",
      "JaneRocks99",
      "public-key",
      "Janie2024",
      "janet1",
      "smithers",
    ]) {
      expect(await check(on, password, user), password).toEqual({
        name: "PasswordNoUserInfoError",
        message: "Password contains user information",
        code: "invalid_password",
        description: "Password contains user information",
      });
    }
    expect(await check(on, "Correct-Horse-Battery", user)).toBeNull();
    // One- and two-letter values (the "Q") are not looked for; without the option nothing is.
    expect(await check(on, "Qq-quiet-river", user)).toBeNull();
    expect(await check({}, "jane.doe", user)).toBeNull();
  });
});

describe.each(testDatabaseKinds())("password policy: history (%s)", (kind) => {
  const t = useSeededDeps(kind);
  const historyRows = async (userId: string) =>
    Number(
      (
        await t.deps.db.all<{ n: number | string }>(
          `SELECT COUNT(*) AS n FROM "PasswordHistory" WHERE "userId" = ?`,
          [userId],
        )
      )[0]?.n,
    );
  const setOptions = async (options: Record<string, unknown>) => {
    await upsertConnectionByName(
      t.deps.db,
      { name: "Customers", options },
      { connectionId: "unused" },
      t.deps.clock.now(),
    );
    return (await findConnectionByName(t.deps.db, "Customers"))!;
  };
  const setPassword = async (userId: string, password: string) => {
    const hash = await t.deps.hasher.hash(password);
    t.deps.clock.advance(1000);
    await t.deps.db.transaction((tx) => rememberPassword(tx, t.deps, userId, hash, t.deps.clock.now()));
  };

  it("refuses the last `size` passwords, accepts older ones, and keeps only `size` hashes", async () => {
    const user = t.fx.users.danaCustomer;
    const connection = await setOptions({ password_history: { enable: true, size: 2 } });
    for (const p of ["first-pass-1", "second-pass-2", "third-pass-3"]) await setPassword(user.id, p);
    expect(await historyRows(user.id)).toBe(2);
    const input = (password: string) => ({ connection, password, user: {}, userId: user.id });
    expect(await checkNewPassword(t.deps, input("third-pass-3"))).toEqual({
      name: "PasswordHistoryError",
      message: "Password has previously been used",
      code: "invalid_password",
      description: "Password has previously been used",
    });
    expect(await checkNewPassword(t.deps, input("second-pass-2"))).toMatchObject({
      name: "PasswordHistoryError",
    });
    expect(await checkNewPassword(t.deps, input("first-pass-1"))).toBeNull();
    expect(await checkNewPassword(t.deps, input("fourth-pass-4"))).toBeNull();
    // Without a userId (a signup) there is no history to consult.
    expect(await checkNewPassword(t.deps, { ...input("third-pass-3"), userId: undefined })).toBeNull();
    // Another user's history is not this user's.
    expect(
      await checkNewPassword(t.deps, { ...input("third-pass-3"), userId: t.fx.users.alice.id }),
    ).toBeNull();
    // The stored rows are hashes, never the passwords.
    const stored = await t.deps.db.all<{ hash: string }>(`SELECT "hash" FROM "PasswordHistory"`);
    expect(stored.every((r) => r.hash.startsWith("$argon2id$"))).toBe(true);
  });

  it("with history off, nothing is remembered and earlier history is forgotten", async () => {
    const user = t.fx.users.danaCustomer;
    const connection = await setOptions({ password_history: { enable: false, size: 2 } });
    expect(
      await checkNewPassword(t.deps, { connection, password: "third-pass-3", user: {}, userId: user.id }),
    ).toBeNull();
    await setPassword(user.id, "fifth-pass-5");
    expect(await historyRows(user.id)).toBe(0);
    await setOptions({});
  });
});
