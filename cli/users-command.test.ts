import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps, type TTestDeps } from "../server/testing/test-deps.ts";
import { seedFixture, type TFixture } from "../server/testing/fixtures.ts";
import { findUserByUserId } from "../server/store/users.ts";
import { listLogs } from "../server/store/logs.ts";

describe("portcullis users delete", () => {
  const masterKey = randomBytes(32).toString("base64");
  let deps: TTestDeps;
  let fx: TFixture;
  beforeAll(async () => {
    deps = await createTestDeps("sqlite", { PORTCULLIS_MASTER_KEY: masterKey });
    fx = await seedFixture(deps);
  });
  afterAll(async () => deps?.cleanup());

  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ["--no-node-snapshot", "--import", "tsx", "cli/main.ts", "users", ...args], {
      env: { ...process.env, DATABASE_URL: deps.env.DATABASE_URL, PORTCULLIS_MASTER_KEY: masterKey },
      encoding: "utf8",
    });
  const exists = async (userId: string) => (await findUserByUserId(deps.db, userId)) !== null;

  it("deletes by email or user id, asks for --connection when an email is in several, refuses unknown users", async () => {
    const { alice, partner, danaEmployee, danaCustomer } = fx.users;
    const byEmail = cli("delete", "ALICE@example.com");
    expect(byEmail.stderr).toBe("");
    expect(byEmail.status).toBe(0);
    expect(byEmail.stdout).toContain(`Deleted ${alice.userId}:`);
    expect(await exists(alice.userId)).toBe(false);

    expect(cli("delete", partner.userId).status).toBe(0);
    expect(await exists(partner.userId)).toBe(false);

    const ambiguous = cli("delete", "dana@acme.test");
    expect(ambiguous.status).toBe(2);
    expect(ambiguous.stderr).toContain("add --connection <name>");
    expect(await exists(danaEmployee.userId)).toBe(true);
    expect(cli("delete", "dana@acme.test", "--connection", fx.connections.employees.name).status).toBe(0);
    expect(await exists(danaEmployee.userId)).toBe(false);
    expect(await exists(danaCustomer.userId)).toBe(true);

    const unknown = cli("delete", "alice@example.com");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("no user alice@example.com");
    expect(cli("delete", "x", "--connection", "Nope").stderr).toContain("no connection named Nope");
    expect(cli("delete").status).toBe(2);

    const records = await listLogs(deps.db, { type: "sdu", take: 10 });
    expect(records.map((r) => r.user_id).sort()).toEqual(
      [alice.userId, partner.userId, danaEmployee.userId].sort(),
    );
    expect(records[0]?.details).toMatchObject({ actor: { id: "cli" } });
  }, 60_000);
});
