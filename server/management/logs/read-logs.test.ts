import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabaseKinds } from "../../testing/test-deps.ts";
import { useSeededDeps } from "../../testing/use-deps.ts";
import { callToken, passwordParams } from "../../testing/token-calls.ts";
import {
  managementToken,
  startManagementServer,
  type TManagementServer,
} from "../../testing/management-calls.ts";
import { insertLog } from "../../store/logs.ts";

type TLog = Record<string, unknown> & { log_id: string; type: string; date: string };

describe.each(testDatabaseKinds())("GET /api/v2/logs (%s)", (kind) => {
  const t = useSeededDeps(kind);
  let api: TManagementServer;
  let token: string;
  const old: string[] = [];
  beforeAll(async () => {
    api = await startManagementServer(t.deps);
    token = await managementToken(t.deps, t.fx.clients.noPassword, ["read:logs"]);
    // A login that fails and one that succeeds, over the token endpoint.
    await callToken(t.deps, {
      params: passwordParams(t.fx.clients.web, { ...t.fx.users.alice, password: "wrong" }),
    });
    await callToken(t.deps, { params: passwordParams(t.fx.clients.web, t.fx.users.alice) });
    // 130 records from half an hour ago: settled, so checkpoint paging hands them out.
    const base = Date.now() - 30 * 60_000;
    for (let i = 0; i < 130; i++)
      old.push(
        await insertLog(
          t.deps.db,
          { type: i % 2 ? "f" : "s", description: `old ${i}`, user_id: "auth0|old", ip: "203.0.113.9" },
          new Date(base + i * 1000),
        ),
      );
  });
  afterAll(async () => {
    await api.close();
  });

  it("lists records newest first with Auth0's field names; q, sort, fields and include_totals as Auth0", async () => {
    const res = await api.call("GET", "/api/v2/logs?per_page=5", { token });
    expect(res.status).toBe(200);
    const logs = res.body as TLog[];
    expect(logs).toHaveLength(5);
    expect(logs.map((l) => l.log_id)).toEqual([...logs.map((l) => l.log_id)].sort().reverse());
    const failed = (
      await api.call(
        "GET",
        `/api/v2/logs?q=${encodeURIComponent('type:fp AND user_name:"alice@example.com"')}`,
        { token },
      )
    ).body as TLog[];
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      type: "fp",
      description: "Wrong email or password.",
      client_id: t.fx.clients.web.clientId,
      user_id: t.fx.users.alice.userId,
      isMobile: false,
    });
    expect(failed[0]!.date).toMatch(/^\d{4}-\d\d-\d\dT/);
    const asc = (await api.call("GET", "/api/v2/logs?sort=date:1&per_page=2", { token })).body as TLog[];
    expect(asc.map((l) => l.log_id)).toEqual([old[0], old[1]]);
    const picked = (
      await api.call("GET", "/api/v2/logs?per_page=1&fields=log_id,type&include_fields=true", { token })
    ).body as TLog[];
    expect(Object.keys(picked[0]!).sort()).toEqual(["log_id", "type"]);
    const totals = await api.call(
      "GET",
      "/api/v2/logs?q=user_id:%22auth0%7Cold%22&per_page=10&page=2&include_totals=true",
      {
        token,
      },
    );
    expect(totals.body).toMatchObject({ start: 20, limit: 10, length: 10, total: 130 });
  });

  it("follows checkpoints (from, take) oldest first: every settled record once, no repeats", async () => {
    const seen: string[] = [];
    let from: string | undefined;
    for (let i = 0; i < 5; i++) {
      const res = await api.call("GET", `/api/v2/logs?take=50${from ? `&from=${from}` : ""}`, { token });
      expect(res.status).toBe(200);
      const page = res.body as TLog[];
      if (page.length === 0) break;
      seen.push(...page.map((l) => l.log_id));
      from = page.at(-1)!.log_id;
    }
    // The login records of a moment ago are not settled yet; the old ones come exactly once, in order.
    expect(seen).toEqual(old);
    // Auth0 ignores q with a checkpoint.
    const withQ = (await api.call("GET", `/api/v2/logs?from=${old[9]}&take=3&q=type:s`, { token }))
      .body as TLog[];
    expect(withQ.map((l) => l.log_id)).toEqual(old.slice(10, 13));
  });

  it("gets one record by id, and answers 404 for an unknown one", async () => {
    const one = await api.call("GET", `/api/v2/logs/${old[3]}`, { token });
    expect(one.body).toMatchObject({ log_id: old[3], type: "f", description: "old 3", ip: "203.0.113.9" });
    expect(await api.call("GET", "/api/v2/logs/90000000000000000000000000000000", { token })).toMatchObject({
      status: 404,
      body: { statusCode: 404, error: "Not Found", message: "log not found", errorCode: "inexistent_log" },
    });
  });

  it("lists one user's records under /users/{id}/logs with read:logs_users alone", async () => {
    const userToken = await managementToken(t.deps, t.fx.clients.noPassword, ["read:logs_users"]);
    const res = await api.call(
      "GET",
      `/api/v2/users/${encodeURIComponent(t.fx.users.alice.userId)}/logs?include_totals=true`,
      {
        token: userToken,
      },
    );
    expect(res.status).toBe(200);
    const body = res.body as { logs: TLog[]; total: number };
    expect(body.logs.map((l) => l.type).sort()).toEqual(["fp", "sepft"]);
    expect(body.total).toBe(2);
    // …and that token cannot search every log.
    expect(await api.call("GET", "/api/v2/logs", { token: userToken })).toMatchObject({
      status: 403,
      body: { message: "Insufficient scope, expected any of: read:logs", errorCode: "insufficient_scope" },
    });
  });

  it("refuses bad queries and paging with Auth0's 400, never a 5xx", async () => {
    token = await managementToken(t.deps, t.fx.clients.noPassword, ["read:logs"]);
    const cases: [string, string][] = [
      ["q=nosuchfield:x", "invalid_query_string"],
      ["q=type:(", "invalid_query_string"],
      ["q=type:*x", "invalid_query_string"],
      [`q=${"a".repeat(5000)}`, "invalid_query_string"],
      ["page=20&per_page=50", "invalid_paging"],
      ["per_page=101", "invalid_query_string"],
      ["per_page=-1", "invalid_query_string"],
      ["take=0", "invalid_query_string"],
      ["take=101", "invalid_query_string"],
      ["from=%27%3B%20DROP%20TABLE", "invalid_query_string"],
      ["sort=user_id:1", "invalid_query_string"],
      ["include_totals=1", "invalid_query_string"],
      ["q=%00", "invalid_query_string"],
    ];
    for (const [query, errorCode] of cases) {
      const res = await api.call("GET", `/api/v2/logs?${query}`, { token });
      expect(res.status, query).toBe(400);
      expect(res.body, query).toMatchObject({ statusCode: 400, error: "Bad Request", errorCode });
    }
    expect((await api.call("GET", `/api/v2/logs/${"%ZZ"}`, { token })).status).toBeLessThan(500);
    expect((await api.call("GET", `/api/v2/logs/${"9".repeat(5000)}`, { token })).status).toBe(404);
  });
});
