import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabaseKinds } from "../../testing/test-deps.ts";
import { useSeededDeps } from "../../testing/use-deps.ts";
import {
  managementToken,
  startManagementServer,
  type TManagementServer,
} from "../../testing/management-calls.ts";
import { listLogs } from "../../store/logs.ts";

const SCRIPT = "function (user, context, callback) {\n  callback(null, user, context);\n}";
const ALL_RULE_SCOPES = ["read:rules", "create:rules", "update:rules", "delete:rules"];

describe.each(testDatabaseKinds())("/api/v2/rules (%s)", (kind) => {
  const t = useSeededDeps(kind);
  let api: TManagementServer;
  let token: string;
  beforeAll(async () => {
    api = await startManagementServer(t.deps);
    token = await managementToken(t.deps, t.fx.clients.noPassword, ALL_RULE_SCOPES);
  });
  afterAll(async () => {
    await api.close();
  });

  /** The audit record of `action` on `target` (records of one test share the test clock's instant). */
  const change = async (action: string, target: unknown) =>
    (await listLogs(t.deps.db, { type: "sapi", take: 1000 })).find(
      (r) => r.details?.action === action && r.details.target === target,
    );

  it("creates, reads, lists, changes and deletes a rule in Auth0's shape, audited as the client", async () => {
    const made = await api.call("POST", "/api/v2/rules", {
      token,
      body: { name: "add-roles", script: SCRIPT, enabled: false, stage: "login_success" },
    });
    expect(made.status).toBe(201);
    const rule = made.body as Record<string, unknown>;
    expect(rule).toEqual({
      id: expect.stringMatching(/^rul_[A-Za-z0-9]{16}$/),
      name: "add-roles",
      script: SCRIPT,
      order: expect.any(Number),
      enabled: false,
      stage: "login_success",
    });
    expect(await change("create rule", rule.id)).toMatchObject({
      type: "sapi",
      client_id: t.fx.clients.noPassword.clientId,
      details: {
        action: "create rule",
        target: rule.id,
        actor: { kind: "client", client_id: t.fx.clients.noPassword.clientId },
      },
    });

    const second = await api.call("POST", "/api/v2/rules", {
      token,
      body: { name: "second", script: SCRIPT },
    });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ enabled: true, order: (rule.order as number) + 1 });

    const one = await api.call("GET", `/api/v2/rules/${String(rule.id)}`, { token });
    expect(one).toMatchObject({ status: 200, body: rule });
    const picked = await api.call("GET", `/api/v2/rules/${String(rule.id)}?fields=name,enabled`, { token });
    expect(picked.body).toEqual({ name: "add-roles", enabled: false });
    const dropped = await api.call(
      "GET",
      `/api/v2/rules/${String(rule.id)}?fields=script&include_fields=false`,
      {
        token,
      },
    );
    expect(Object.keys(dropped.body as object).sort()).toEqual(["enabled", "id", "name", "order", "stage"]);

    const list = await api.call("GET", "/api/v2/rules", { token });
    expect((list.body as { name: string }[]).map((r) => r.name)).toEqual(["add-roles", "second"]);
    const enabledOnly = await api.call("GET", "/api/v2/rules?enabled=true", { token });
    expect((enabledOnly.body as { name: string }[]).map((r) => r.name)).toEqual(["second"]);
    const paged = await api.call("GET", "/api/v2/rules?per_page=1&page=1&include_totals=true&fields=name", {
      token,
    });
    expect(paged.body).toEqual({ rules: [{ name: "second" }], start: 1, limit: 1, total: 2 });

    const patched = await api.call("PATCH", `/api/v2/rules/${String(rule.id)}`, {
      token,
      body: { enabled: true, name: "add-roles-v2" },
    });
    expect(patched).toMatchObject({ status: 200, body: { ...rule, enabled: true, name: "add-roles-v2" } });
    expect(await change("update rule", rule.id)).toMatchObject({
      client_id: t.fx.clients.noPassword.clientId,
      details: { actor: { kind: "client" } },
    });

    const gone = await api.call("DELETE", `/api/v2/rules/${String(rule.id)}`, { token });
    expect(gone.status).toBe(204);
    expect(gone.body).toBeNull();
    expect(await change("delete rule", rule.id)).toMatchObject({
      client_id: t.fx.clients.noPassword.clientId,
      details: { actor: { kind: "client" } },
    });
    await api.call("DELETE", `/api/v2/rules/${String((second.body as { id: string }).id)}`, { token });
  });

  it("answers Auth0's 404 inexistent_rule, 409 rule_conflict and 400 invalid_body", async () => {
    const notFound = {
      status: 404,
      body: {
        statusCode: 404,
        error: "Not Found",
        message: "The rule does not exist.",
        errorCode: "inexistent_rule",
      },
    };
    expect(await api.call("GET", "/api/v2/rules/rul_nope", { token })).toMatchObject(notFound);
    expect(
      await api.call("PATCH", "/api/v2/rules/rul_nope", { token, body: { enabled: true } }),
    ).toMatchObject(notFound);
    expect(await api.call("DELETE", "/api/v2/rules/rul_nope", { token })).toMatchObject(notFound);

    const made = await api.call("POST", "/api/v2/rules", { token, body: { name: "taken", script: SCRIPT } });
    expect(made.status).toBe(201);
    expect(
      await api.call("POST", "/api/v2/rules", { token, body: { name: "taken", script: SCRIPT } }),
    ).toMatchObject({
      status: 409,
      body: {
        statusCode: 409,
        error: "Conflict",
        message: "A rule with the same name already exists",
        errorCode: "rule_conflict",
      },
    });
    const other = await api.call("POST", "/api/v2/rules", { token, body: { name: "other", script: SCRIPT } });
    expect(
      await api.call("PATCH", `/api/v2/rules/${(other.body as { id: string }).id}`, {
        token,
        body: { name: "taken" },
      }),
    ).toMatchObject({ status: 409, body: { errorCode: "rule_conflict" } });

    for (const [body, field] of [
      [{ script: SCRIPT }, "name"],
      [{ name: "-bad-", script: SCRIPT }, "name"],
      [{ name: "ok" }, "script"],
      [{ name: "ok", script: 42 }, "script"],
      [{ name: "ok", script: SCRIPT, order: "1" }, "order"],
      [{ name: "ok", script: SCRIPT, enabled: "yes" }, "enabled"],
      [{ name: "ok", script: SCRIPT, stage: "login_failure" }, "stage"],
      [{ name: "ok", script: "function ( {" }, "compile"],
    ] as const) {
      const res = await api.call("POST", "/api/v2/rules", { token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body, field).toMatchObject({
        statusCode: 400,
        error: "Bad Request",
        errorCode: "invalid_body",
      });
      expect(String((res.body as { message: string }).message).toLowerCase()).toContain(
        field === "compile" ? "does not compile" : field,
      );
    }
    expect(
      await api.call("PATCH", `/api/v2/rules/${(other.body as { id: string }).id}`, {
        token,
        body: { stage: "login_success" },
      }),
    ).toMatchObject({ status: 400, body: { errorCode: "invalid_body" } });
    expect(await api.call("GET", "/api/v2/rules?enabled=maybe", { token })).toMatchObject({
      status: 400,
      body: { errorCode: "invalid_query_string" },
    });
  });

  it("refuses each operation without its own scope (403 insufficient_scope)", async () => {
    const reader = await managementToken(t.deps, t.fx.clients.noPassword, [
      "read:rules",
      "read:rules_configs",
    ]);
    for (const [method, path, scope] of [
      ["POST", "/api/v2/rules", "create:rules"],
      ["PATCH", "/api/v2/rules/rul_x", "update:rules"],
      ["DELETE", "/api/v2/rules/rul_x", "delete:rules"],
    ] as const) {
      expect(await api.call(method, path, { token: reader, body: {} })).toMatchObject({
        status: 403,
        body: {
          statusCode: 403,
          error: "Forbidden",
          message: `Insufficient scope, expected any of: ${scope}`,
          errorCode: "insufficient_scope",
        },
      });
    }
    expect((await api.call("GET", "/api/v2/rules", { token: reader })).status).toBe(200);
    const writer = await managementToken(t.deps, t.fx.clients.noPassword, ["create:rules"]);
    expect(await api.call("GET", "/api/v2/rules", { token: writer })).toMatchObject({
      status: 403,
      body: { message: "Insufficient scope, expected any of: read:rules" },
    });
    token = await managementToken(t.deps, t.fx.clients.noPassword, ALL_RULE_SCOPES);
  });
});
