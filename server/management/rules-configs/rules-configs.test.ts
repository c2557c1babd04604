import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabaseKinds } from "../../testing/test-deps.ts";
import { useSeededDeps } from "../../testing/use-deps.ts";
import {
  managementToken,
  startManagementServer,
  type TManagementServer,
} from "../../testing/management-calls.ts";
import { listLogs } from "../../store/logs.ts";

const SCOPES = ["read:rules_configs", "update:rules_configs", "delete:rules_configs"];
const VALUE = "s3cr3t-rules-config-value-2f9c1d";

describe.each(testDatabaseKinds())("/api/v2/rules-configs (%s)", (kind) => {
  const t = useSeededDeps(kind);
  let api: TManagementServer;
  let token: string;
  beforeAll(async () => {
    api = await startManagementServer(t.deps);
    token = await managementToken(t.deps, t.fx.clients.noPassword, SCOPES);
  });
  afterAll(async () => {
    await api.close();
  });

  /** The audit record of `action` on `target` (records of one test share the test clock's instant). */
  const change = async (action: string, target: string) =>
    (await listLogs(t.deps.db, { type: "sapi", take: 1000 })).find(
      (r) => r.details?.action === action && r.details.target === target,
    );

  it("sets a value (answering {key, value}), lists keys only, deletes; audited by key as the client", async () => {
    const put = await api.call("PUT", "/api/v2/rules-configs/API_KEY", { token, body: { value: VALUE } });
    expect(put).toMatchObject({ status: 200, body: { key: "API_KEY", value: VALUE } });
    expect(Object.keys(put.body as object).sort()).toEqual(["key", "value"]);
    const record = await change("add rule setting", "API_KEY");
    expect(record).toMatchObject({
      client_id: t.fx.clients.noPassword.clientId,
      details: {
        actor: { kind: "client", client_id: t.fx.clients.noPassword.clientId },
      },
    });
    expect(JSON.stringify(record)).not.toContain(VALUE);

    const replaced = await api.call("PUT", "/api/v2/rules-configs/API_KEY", {
      token,
      body: { value: `${VALUE}-2` },
    });
    expect(replaced.status).toBe(200);
    expect(await change("replace rule setting", "API_KEY")).toMatchObject({
      client_id: t.fx.clients.noPassword.clientId,
    });
    await api.call("PUT", "/api/v2/rules-configs/OTHER", { token, body: { value: "another-value" } });

    const list = await api.call("GET", "/api/v2/rules-configs", { token });
    expect(list.status).toBe(200);
    expect(list.body).toEqual([{ key: "API_KEY" }, { key: "OTHER" }]);
    expect(JSON.stringify(list.body)).not.toContain(VALUE);

    expect((await api.call("DELETE", "/api/v2/rules-configs/OTHER", { token })).status).toBe(204);
    expect(await change("delete rule setting", "OTHER")).toMatchObject({
      details: { actor: { kind: "client" } },
    });
    const everything = JSON.stringify(await listLogs(t.deps.db, { type: "sapi", take: 1000 }));
    expect(everything).not.toContain(VALUE);
    expect((await api.call("GET", "/api/v2/rules-configs", { token })).body).toEqual([{ key: "API_KEY" }]);
  });

  it("answers 404 for an unknown key, 400 invalid_body for a bad key or value, 403 without the scope", async () => {
    expect(await api.call("DELETE", "/api/v2/rules-configs/NEVER_SET", { token })).toMatchObject({
      status: 404,
      body: {
        statusCode: 404,
        error: "Not Found",
        message: "The rules config does not exist.",
        errorCode: "inexistent_rules_config",
      },
    });
    for (const [key, body] of [
      ["bad key", { value: "x" }],
      ["x".repeat(128), { value: "x" }],
      ["OK", {}],
      ["OK", { value: 42 }],
      ["OK", { value: "" }],
      ["OK", { value: "x".repeat(4097) }],
    ] as const) {
      const res = await api.call("PUT", `/api/v2/rules-configs/${encodeURIComponent(key)}`, { token, body });
      expect(res.status, `${key} ${JSON.stringify(body).slice(0, 40)}`).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: "Bad Request", errorCode: "invalid_body" });
    }
    const reader = await managementToken(t.deps, t.fx.clients.noPassword, ["read:rules_configs"]);
    expect(
      await api.call("PUT", "/api/v2/rules-configs/K", { token: reader, body: { value: "v" } }),
    ).toMatchObject({
      status: 403,
      body: {
        message: "Insufficient scope, expected any of: update:rules_configs",
        errorCode: "insufficient_scope",
      },
    });
    expect(await api.call("DELETE", "/api/v2/rules-configs/K", { token: reader })).toMatchObject({
      status: 403,
      body: { message: "Insufficient scope, expected any of: delete:rules_configs" },
    });
    // Rules scopes are not rules-configs scopes.
    const rules = await managementToken(t.deps, t.fx.clients.noPassword, ["read:rules", "update:rules"]);
    expect((await api.call("GET", "/api/v2/rules-configs", { token: rules })).status).toBe(403);
    token = await managementToken(t.deps, t.fx.clients.noPassword, SCOPES);
  });
});
