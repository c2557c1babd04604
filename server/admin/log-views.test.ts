import { describe, expect, it } from "vitest";
import { testDatabaseKinds } from "../testing/test-deps.ts";
import { useSeededDeps } from "../testing/use-deps.ts";
import { createFixtureUser } from "../testing/fixtures.ts";
import { callToken, passwordParams } from "../testing/token-calls.ts";
import { adminOf } from "../testing/admin-actors.ts";
import { LOG_TYPES } from "../audit/events.ts";
import { AdminError } from "./admin-error.ts";
import { getLogDetail, getLogsPage, parseLogQuery } from "./views.ts";

const security = adminOf("security");
const MIN = 60_000;

describe.each(testDatabaseKinds())("the Logs screens' use cases over real logins (%s)", (kind) => {
  const seeded = useSeededDeps(kind);

  /** A login over HTTP (the token endpoint) from `ip`; returns the audit records it wrote. */
  async function login(email: string, password: string, ip: string) {
    const { deps, fx } = seeded;
    return (
      await callToken(deps, { params: passwordParams(fx.clients.web, { email, password }), socketIp: ip })
    ).logs;
  }

  it("names each record's event, links what it can and lists related records within ± 10 minutes", async () => {
    const { deps, fx } = seeded;
    const alice = await createFixtureUser(deps, fx, { connection: "database", password: "alice-password-1" });
    const bob = await createFixtureUser(deps, fx, { connection: "database", password: "bob-password-1" });
    const [failed] = await login(alice.email, "wrong-password", "203.0.113.50");
    expect(failed?.type).toBe("fp");
    deps.clock.advance(2 * MIN);
    const [aliceIn] = await login(alice.email, "alice-password-1", "203.0.113.50");
    deps.clock.advance(MIN);
    const [bobFailed] = await login(bob.email, "wrong-password", "203.0.113.50");
    deps.clock.advance(15 * MIN);
    const [aliceLater] = await login(alice.email, "alice-password-1", "203.0.113.51");
    expect(aliceLater?.type).toBe("sepft");

    const page = await getLogsPage(deps, security, { type: "fp", user: alice.userId });
    expect(page.now).toBe(deps.clock.now().toISOString());
    expect(page.type).toMatchObject({ code: "fp", name: "Failed Login (Incorrect Password)" });
    expect(page.rows.map((r) => r.log_id)).toEqual([failed!.log_id]);
    expect(page.rows[0]).toMatchObject({
      event: { name: "Failed Login (Incorrect Password)", category: "failure" },
      user_id: alice.userId,
      client_id: fx.clients.web.clientId,
      connection_id: fx.connections.database.connectionId,
      ip: "203.0.113.50",
    });
    expect(page.groups.flatMap((g) => g.types.map((t) => t.code)).sort()).toEqual(
      Object.keys(LOG_TYPES).sort(),
    );

    const detail = await getLogDetail(deps, security, failed!.log_id);
    expect(detail?.record.event.name).toBe("Failed Login (Incorrect Password)");
    expect(detail?.related.user?.rows.map((r) => r.log_id)).toEqual([aliceIn!.log_id]);
    expect(detail?.related.user?.filter).toEqual({ user: alice.userId });
    expect(detail?.related.ip?.rows.map((r) => [r.log_id, r.event.code])).toEqual([
      [bobFailed!.log_id, "fp"],
      [aliceIn!.log_id, "sepft"],
    ]);
    expect(detail?.related.ip?.hasMore).toBe(false);
    expect(detail?.window).toEqual({
      from: new Date(Date.parse(failed!.date) - 10 * MIN).toISOString(),
      to: new Date(Date.parse(failed!.date) + 10 * MIN).toISOString(),
    });
  });

  it("relates an unknown user's attempts by the name that was tried", async () => {
    const { deps } = seeded;
    deps.clock.advance(60 * MIN);
    const name = "nobody-here@example.com";
    const [first] = await login(name, "guess-1", "203.0.113.60");
    deps.clock.advance(MIN);
    const [second] = await login(name, "guess-2", "203.0.113.61");
    expect(first).toMatchObject({ type: "fu", user_name: name });
    expect(first?.user_id).toBeUndefined();
    const detail = await getLogDetail(deps, security, first!.log_id);
    expect(detail?.record.event.name).toBe("Failed Login (Invalid Email/Username)");
    expect(detail?.related.user).toMatchObject({ filter: { user: name } });
    expect(detail?.related.user?.rows.map((r) => r.log_id)).toEqual([second!.log_id]);
    expect(detail?.related.ip?.rows).toEqual([]);
  });

  it("cuts a long related list at 20 and says there are more", async () => {
    const { deps } = seeded;
    deps.clock.advance(60 * MIN);
    const logs = [];
    for (let i = 0; i < 22; i++) {
      logs.push(...(await login(`spray-${i}@example.com`, "Winter2026!", "203.0.113.70")));
      deps.clock.advance(1000);
    }
    const detail = await getLogDetail(deps, security, logs[0]!.log_id);
    expect(detail?.related.ip?.rows).toHaveLength(20);
    expect(detail?.related.ip?.hasMore).toBe(true);
    expect(detail?.related.ip?.filter).toEqual({ ip: "203.0.113.70" });
  });

  it("names an unknown event type filter by its code, and answers null for a missing record", async () => {
    const { deps } = seeded;
    const page = await getLogsPage(deps, security, { type: "zz_unknown" });
    expect(page.rows).toEqual([]);
    expect(page.type).toMatchObject({ code: "zz_unknown", name: "zz_unknown" });
    expect(await getLogDetail(deps, security, "90999")).toBeNull();
  });

  it("refuses a role without logs:read", async () => {
    const { deps } = seeded;
    await expect(getLogDetail(deps, adminOf("rules-editor"), "90999")).rejects.toBeInstanceOf(AdminError);
    await expect(getLogsPage(deps, adminOf("rules-editor"), {})).rejects.toBeInstanceOf(AdminError);
  });
});

describe("parseLogQuery times", () => {
  it("reads a time without a zone (the page's datetime-local inputs) as UTC, like every time on the page", () => {
    expect(parseLogQuery({ from: "2026-06-01T11:50" }).filter.from?.toISOString()).toBe(
      "2026-06-01T11:50:00.000Z",
    );
    expect(parseLogQuery({ to: "2026-06-01T12:10:30" }).filter.to?.toISOString()).toBe(
      "2026-06-01T12:10:30.000Z",
    );
    expect(parseLogQuery({ from: "2026-06-01T11:50:00+02:00" }).filter.from?.toISOString()).toBe(
      "2026-06-01T09:50:00.000Z",
    );
    expect(parseLogQuery({ from: "2026-06-01T25:99" }).filter.from).toBeUndefined();
  });
});
