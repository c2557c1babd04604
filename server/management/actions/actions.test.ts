import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabaseKinds } from "../../testing/test-deps.ts";
import { useSeededDeps } from "../../testing/use-deps.ts";
import {
  managementToken,
  startManagementServer,
  type TManagementServer,
} from "../../testing/management-calls.ts";
import { adminOf } from "../../testing/admin-actors.ts";
import { bindActions } from "../../testing/actions.ts";
import { createAction } from "../../admin/actions/create-action.ts";
import { listLogs } from "../../store/logs.ts";

const SECRET = "act-secret-value-9d81e2b7";
const CODE =
  "exports.onExecutePostLogin = async (event, api) => {\n  api.idToken.setCustomClaim('x', 1);\n};\n";
const SCOPES = ["read:actions", "create:actions"];

describe.each(testDatabaseKinds())("/api/v2/actions (%s)", (kind) => {
  const t = useSeededDeps(kind);
  let api: TManagementServer;
  let token: string;
  let boundId: string;
  let draftId: string;
  beforeAll(async () => {
    api = await startManagementServer(t.deps);
    token = await managementToken(t.deps, t.fx.clients.noPassword, SCOPES);
    [boundId] = (await bindActions(t.deps, {
      name: "add-claim",
      code: CODE,
      secrets: { API_KEY: SECRET },
    })) as [string];
    draftId = (await createAction(t.deps, adminOf("admin"), { name: "draft-only", code: CODE })).action.id;
  });
  afterAll(async () => {
    await api.close();
  });

  it("lists actions as Auth0 ({actions, total, page, per_page}) with filters, secrets by name only", async () => {
    const list = await api.call("GET", "/api/v2/actions/actions", { token });
    expect(list.status).toBe(200);
    const body = list.body as {
      actions: Record<string, unknown>[];
      total: number;
      page: number;
      per_page: number;
    };
    expect(body).toMatchObject({ total: 2, page: 0, per_page: 20 });
    const bound = body.actions.find((a) => a.id === boundId)!;
    expect(bound).toEqual({
      id: boundId,
      name: "add-claim",
      supported_triggers: [{ id: "post-login", version: "v3" }],
      code: CODE,
      dependencies: [],
      runtime: "node22",
      secrets: [{ name: "API_KEY", updated_at: expect.any(String) }],
      deployed_version: expect.objectContaining({
        action_id: boundId,
        number: 1,
        code: CODE,
        deployed: true,
        status: "built",
        secrets: [{ name: "API_KEY", updated_at: expect.any(String) }],
      }),
      status: "built",
      all_changes_deployed: true,
      built_at: expect.any(String),
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const draft = body.actions.find((a) => a.id === draftId)!;
    expect(draft).not.toHaveProperty("deployed_version");
    expect(draft.all_changes_deployed).toBe(false);

    const names = async (q: string) =>
      (
        (await api.call("GET", `/api/v2/actions/actions?${q}`, { token })).body as {
          actions: { name: string }[];
        }
      ).actions
        .map((a) => a.name)
        .sort();
    expect(await names("deployed=true")).toEqual(["add-claim"]);
    expect(await names("deployed=false")).toEqual(["draft-only"]);
    expect(await names("actionName=draft-only")).toEqual(["draft-only"]);
    expect(await names("triggerId=post-login")).toEqual(["add-claim", "draft-only"]);
    expect(await names("triggerId=credentials-exchange")).toEqual([]);
    expect(await names("installed=true")).toEqual([]);
    expect(await names("installed=false")).toEqual(["add-claim", "draft-only"]);
    const paged = await api.call("GET", "/api/v2/actions/actions?per_page=1&page=1", { token });
    expect(paged.body).toMatchObject({ total: 2, page: 1, per_page: 1 });
    expect((paged.body as { actions: unknown[] }).actions).toHaveLength(1);

    expect(JSON.stringify(list.body)).not.toContain(SECRET);
  });

  it("gets one action, deploys a draft into a new version (audited as the client), lists the post-login bindings", async () => {
    const one = await api.call("GET", `/api/v2/actions/actions/${boundId}`, { token });
    expect(one).toMatchObject({ status: 200, body: { id: boundId, name: "add-claim" } });
    expect(JSON.stringify(one.body)).not.toContain(SECRET);

    const deployed = await api.call("POST", `/api/v2/actions/actions/${draftId}/deploy`, { token });
    expect(deployed.status).toBe(200);
    expect(deployed.body).toEqual({
      id: expect.any(String),
      action_id: draftId,
      number: 1,
      code: CODE,
      dependencies: [],
      runtime: "node22",
      secrets: [],
      supported_triggers: [{ id: "post-login", version: "v3" }],
      deployed: true,
      status: "built",
      errors: [],
      built_at: expect.any(String),
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const record = (await listLogs(t.deps.db, { type: "sapi", take: 1000 })).find(
      (r) => r.details?.action === "deploy action" && r.details.target === draftId,
    );
    expect(record).toMatchObject({
      client_id: t.fx.clients.noPassword.clientId,
      details: { actor: { kind: "client", client_id: t.fx.clients.noPassword.clientId } },
    });
    const again = await api.call("POST", `/api/v2/actions/actions/${boundId}/deploy`, { token });
    expect(again.body).toMatchObject({ action_id: boundId, number: 2, deployed: true });
    expect(JSON.stringify(again.body)).not.toContain(SECRET);

    const bindings = await api.call("GET", "/api/v2/actions/triggers/post-login/bindings", { token });
    expect(bindings.status).toBe(200);
    expect(bindings.body).toMatchObject({ total: 1, page: 0, per_page: 20 });
    const [binding] = (bindings.body as { bindings: Record<string, unknown>[] }).bindings;
    expect(binding).toMatchObject({
      id: expect.any(String),
      trigger_id: "post-login",
      display_name: "add-claim",
      action: { id: boundId, name: "add-claim", supported_triggers: [{ id: "post-login", version: "v3" }] },
    });
    expect(JSON.stringify(bindings.body)).not.toContain(SECRET);
    expect(
      await api.call("GET", "/api/v2/actions/triggers/credentials-exchange/bindings", { token }),
    ).toMatchObject({
      status: 200,
      body: { bindings: [], total: 0 },
    });
  });

  it("answers 404 for an unknown action or trigger, 400 for bad query values, 403 without the scope", async () => {
    const missing = {
      status: 404,
      body: {
        statusCode: 404,
        error: "Not Found",
        message: "The action does not exist.",
        errorCode: "inexistent_action",
      },
    };
    expect(await api.call("GET", "/api/v2/actions/actions/nope", { token })).toMatchObject(missing);
    expect(await api.call("POST", "/api/v2/actions/actions/nope/deploy", { token })).toMatchObject(missing);
    expect(await api.call("GET", "/api/v2/actions/triggers/post-logon/bindings", { token })).toMatchObject({
      status: 404,
      body: { statusCode: 404, errorCode: "inexistent_trigger" },
    });
    for (const q of [
      "deployed=yes",
      "installed=1",
      "per_page=500",
      "page=-2",
      `actionName=${"x".repeat(300)}`,
    ]) {
      expect(await api.call("GET", `/api/v2/actions/actions?${q}`, { token }), q).toMatchObject({
        status: 400,
        body: { statusCode: 400, errorCode: "invalid_query_string" },
      });
    }
    const reader = await managementToken(t.deps, t.fx.clients.noPassword, ["read:actions"]);
    expect(
      await api.call("POST", `/api/v2/actions/actions/${boundId}/deploy`, { token: reader }),
    ).toMatchObject({
      status: 403,
      body: {
        message: "Insufficient scope, expected any of: create:actions",
        errorCode: "insufficient_scope",
      },
    });
    const rules = await managementToken(t.deps, t.fx.clients.noPassword, ["read:rules", "create:actions"]);
    expect(await api.call("GET", "/api/v2/actions/actions", { token: rules })).toMatchObject({
      status: 403,
      body: { message: "Insufficient scope, expected any of: read:actions" },
    });
    expect(
      (await api.call("GET", "/api/v2/actions/triggers/post-login/bindings", { token: rules })).status,
    ).toBe(403);
    token = await managementToken(t.deps, t.fx.clients.noPassword, SCOPES);
  });
});
