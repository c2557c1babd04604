import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../../testing/test-deps.ts";
import { createFixtureUser, seedFixture, type TFixture, type TFixtureUser } from "../../testing/fixtures.ts";
import { callToken, passwordParams } from "../../testing/token-calls.ts";
import { adminOf, countAdminChanges, lastAdminChange } from "../../testing/admin-actors.ts";
import { listLogs } from "../../store/logs.ts";
import { getLogsPage } from "../views.ts";
import { AdminError } from "../admin-error.ts";
import { getAttackProtection } from "./get-attack-protection.ts";
import { updateAttackProtection } from "./update-attack-protection.ts";
import { unblockUser } from "./unblock-user.ts";
import { unblockIp } from "./unblock-ip.ts";

const owner = adminOf("owner");
const security = adminOf("security");

describe.each(testDatabaseKinds())("attack protection: admin changes are audited (%s)", (kind) => {
  let deps: TTestDeps;
  let fx: TFixture;
  let ipCounter = 0;
  const freshIp = () => `203.0.113.${++ipCounter}`;

  beforeAll(async () => {
    deps = await createTestDeps(kind);
    fx = await seedFixture(deps);
    await updateAttackProtection(deps, owner, "brute-force-protection", { max_attempts: 2 });
  });
  afterAll(async () => deps.cleanup());

  async function blockedUser(ip: string): Promise<TFixtureUser> {
    const user = await createFixtureUser(deps, fx, { connection: "database", password: "right-password-1" });
    for (let i = 0; i < 3; i++) {
      await callToken(deps, {
        params: passwordParams(fx.clients.web, { email: user.email, password: "wrong" }),
        socketIp: ip,
      });
    }
    const res = await callToken(deps, { params: passwordParams(fx.clients.web, user), socketIp: ip });
    expect(res.status).toBe(429);
    return user;
  }

  const releasesOf = async (identifier: string) =>
    (await listLogs(deps.db, { type: "ublkdu", take: 10_000 })).filter(
      (l) => l.details?.identifier === identifier,
    );

  it("a policy change records the acting admin with the policy before and after, and shows in Logs", async () => {
    deps.clock.advance(1000);
    await updateAttackProtection(deps, owner, "breached-password-detection", {
      enabled: true,
    });
    const audit = await lastAdminChange(deps, "update attack protection");
    expect(audit).toMatchObject({ type: "sapi", user_name: owner.email });
    expect(audit?.details).toMatchObject({
      actor: { id: owner.id, email: owner.email, role: "owner" },
      target: "breached-password-detection",
      before: { enabled: false },
      after: { enabled: true },
    });
    const logs = await getLogsPage(deps, security, { type: "sapi" });
    expect(logs.rows.some((r) => r.log_id === audit?.log_id)).toBe(true);
  });

  it("raising the threshold keeps its ublkdu records and adds one sapi record with before/after", async () => {
    const ip = freshIp();
    const user = await blockedUser(ip);
    deps.clock.advance(1000);
    await updateAttackProtection(deps, adminOf("admin"), "brute-force-protection", { max_attempts: 10 });
    expect((await releasesOf(user.email.toLowerCase())).map((l) => l.details?.reason)).toEqual([
      "threshold_raised",
    ]);
    const audit = await lastAdminChange(deps, "update attack protection");
    expect(audit?.details).toMatchObject({
      actor: { email: "admin@example.com" },
      target: "brute-force-protection",
      before: { max_attempts: 2 },
      after: { max_attempts: 10 },
    });
    await updateAttackProtection(deps, owner, "brute-force-protection", { max_attempts: 2 });
  });

  it("unblocking a user records who did it and which blocks ended, beside the ublkdu records", async () => {
    const ip = freshIp();
    const user = await blockedUser(ip);
    deps.clock.advance(1000);
    expect(await unblockUser(deps, security, { userId: user.userId })).toEqual({ released: 1 });
    expect((await releasesOf(user.email.toLowerCase())).map((l) => l.details?.reason)).toEqual(["admin"]);
    const audit = await lastAdminChange(deps, "unblock user");
    expect(audit?.details).toMatchObject({
      actor: { id: security.id, email: security.email, role: "security" },
      target: user.userId,
      before: { blocks: [{ identifier: user.email.toLowerCase(), ip, count: 2 }] },
      after: { blocks: [] },
    });
    expect(
      (await callToken(deps, { params: passwordParams(fx.clients.web, user), socketIp: ip })).status,
    ).toBe(200);
  });

  it("unblocking an IP records who did it and the IP's blocks before", async () => {
    const ip = freshIp();
    const user = await blockedUser(ip);
    deps.clock.advance(1000);
    await unblockIp(deps, security, ip);
    expect((await releasesOf(user.email.toLowerCase())).map((l) => l.details?.reason)).toEqual(["admin_ip"]);
    const audit = await lastAdminChange(deps, "unblock ip");
    expect(audit?.details).toMatchObject({
      actor: { email: security.email },
      target: ip,
      before: { blocks: [{ identifier: user.email.toLowerCase() }] },
      after: { blocks: [] },
    });
  });

  it("a refused change (bad policy, bad IP) records nothing and changes nothing", async () => {
    const audits = await countAdminChanges(deps);
    const policy = await getAttackProtection(deps, owner, "brute-force-protection");
    await expect(
      updateAttackProtection(deps, owner, "brute-force-protection", { max_attempts: 0 }),
    ).rejects.toBeInstanceOf(AdminError);
    await expect(unblockIp(deps, security, "not-an-ip")).rejects.toBeInstanceOf(AdminError);
    await expect(unblockUser(deps, security, { userId: "auth0|nobody" })).rejects.toBeInstanceOf(AdminError);
    expect(await getAttackProtection(deps, owner, "brute-force-protection")).toEqual(policy);
    expect(await countAdminChanges(deps)).toBe(audits);
  });

  it("roles are enforced: viewers neither change policies nor unblock; security unblocks but cannot change policies", async () => {
    const ip = freshIp();
    const user = await blockedUser(ip);
    const audits = await countAdminChanges(deps);
    const policy = await getAttackProtection(deps, owner, "brute-force-protection");
    for (const who of [adminOf("viewer"), security, adminOf("rules-editor")]) {
      await expect(
        updateAttackProtection(deps, who, "brute-force-protection", { max_attempts: 50 }),
      ).rejects.toStrictEqual(AdminError.forbidden());
    }
    for (const who of [adminOf("viewer"), adminOf("rules-editor")]) {
      await expect(unblockUser(deps, who, { userId: user.userId })).rejects.toStrictEqual(
        AdminError.forbidden(),
      );
      await expect(unblockIp(deps, who, ip)).rejects.toStrictEqual(AdminError.forbidden());
    }
    expect(await getAttackProtection(deps, owner, "brute-force-protection")).toEqual(policy);
    expect(await countAdminChanges(deps)).toBe(audits);
    expect(
      (await callToken(deps, { params: passwordParams(fx.clients.web, user), socketIp: ip })).status,
    ).toBe(429);
  });
});
