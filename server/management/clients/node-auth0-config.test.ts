import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManagementApiError, ManagementClient } from "auth0";
import { useSeededDeps } from "../../testing/use-deps.ts";
import {
  managementToken,
  startManagementServer,
  type TManagementServer,
} from "../../testing/management-calls.ts";
import { bindActions } from "../../testing/actions.ts";

// node-auth0's ManagementClient (the SDK Auth0's customers use), unchanged, against the configuration endpoints:
// only its fetch is pointed at the test server instead of https://{domain}.

const SCRIPT = "function (user, context, callback) { callback(null, user, context); }";

describe("node-auth0 ManagementClient against the configuration endpoints", () => {
  const t = useSeededDeps("sqlite");
  let api: TManagementServer;
  let management: ManagementClient;
  let actionId: string;
  beforeAll(async () => {
    api = await startManagementServer(t.deps);
    [actionId] = (await bindActions(t.deps, {
      name: "sdk-action",
      code: "exports.onExecutePostLogin = async () => {};",
    })) as [string];
    const token = await managementToken(t.deps, t.fx.clients.noPassword, [
      "read:rules",
      "create:rules",
      "update:rules",
      "delete:rules",
      "read:rules_configs",
      "update:rules_configs",
      "delete:rules_configs",
      "read:actions",
      "create:actions",
      "read:clients",
      "read:connections",
      "read:client_grants",
      "create:client_grants",
      "update:client_grants",
      "delete:client_grants",
    ]);
    management = new ManagementClient({
      domain: "portcullis.test",
      token,
      fetch: (url, init) => fetch(String(url).replace("https://portcullis.test", api.baseUrl), init),
    });
  });
  afterAll(async () => {
    await api.close();
  });

  it("manages rules and rules-configs", async () => {
    const { data: rule } = await management.rules.create({ name: "sdk-rule", script: SCRIPT });
    expect(rule).toMatchObject({ name: "sdk-rule", enabled: true, stage: "login_success" });
    expect((await management.rules.getAll()).data.map((r) => r.name)).toEqual(["sdk-rule"]);
    const totals = await management.rules.getAll({ include_totals: true, per_page: 10 });
    expect(totals.data).toMatchObject({ total: 1, rules: [{ id: rule.id }] });
    expect((await management.rules.update({ id: rule.id }, { enabled: false })).data.enabled).toBe(false);
    expect((await management.rules.get({ id: rule.id })).data.enabled).toBe(false);
    await management.rules.delete({ id: rule.id });
    const missing = await management.rules.get({ id: rule.id }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ManagementApiError);
    expect(missing).toMatchObject({ statusCode: 404, errorCode: "inexistent_rule" });

    expect((await management.rulesConfigs.set({ key: "SDK_KEY" }, { value: "sdk-value-1" })).data).toEqual({
      key: "SDK_KEY",
      value: "sdk-value-1",
    });
    expect((await management.rulesConfigs.getAll()).data).toEqual([{ key: "SDK_KEY" }]);
    await management.rulesConfigs.delete({ key: "SDK_KEY" });
    expect((await management.rulesConfigs.getAll()).data).toEqual([]);
  });

  it("reads actions and bindings, and deploys", async () => {
    const { data } = await management.actions.getAll({ deployed: true });
    expect(data.actions.map((a) => a.id)).toEqual([actionId]);
    expect((await management.actions.get({ id: actionId })).data.name).toBe("sdk-action");
    expect((await management.actions.deploy({ id: actionId })).data).toMatchObject({
      action_id: actionId,
      number: 2,
    });
    const bindings = await management.actions.getTriggerBindings({ triggerId: "post-login" });
    expect(bindings.data.bindings.map((b) => b.action.id)).toEqual([actionId]);
  });

  it("reads clients and connections, and manages client grants", async () => {
    const clients = await management.clients.getAll({ app_type: "native" });
    expect(clients.data.map((c) => c.client_id)).toEqual([t.fx.clients.spa.clientId]);
    const one = await management.clients.get({ client_id: t.fx.clients.web.clientId });
    expect(one.data).toMatchObject({ name: "Acme Web" });
    expect(one.data.client_secret).toBeUndefined();

    const connections = await management.connections.getAll({ name: "Partners" });
    expect(connections.data.map((c) => c.id)).toEqual([t.fx.connections.partners.connectionId]);
    expect(
      (await management.connections.get({ id: t.fx.connections.partners.connectionId })).data,
    ).toMatchObject({
      enabled_clients: [t.fx.clients.basic.clientId],
    });

    const { data: grant } = await management.clientGrants.create({
      client_id: t.fx.clients.web.clientId,
      audience: t.fx.apis.reports.identifier,
      scope: ["read:reports"],
    });
    expect((await management.clientGrants.getAll({ audience: t.fx.apis.reports.identifier })).data).toEqual([
      grant,
    ]);
    expect((await management.clientGrants.update({ id: grant.id }, { scope: [] })).data.scope).toEqual([]);
    await management.clientGrants.delete({ id: grant.id });
    const again = await management.clientGrants.delete({ id: grant.id }).catch((e: unknown) => e);
    expect(again).toMatchObject({ statusCode: 404, errorCode: "inexistent_client_grant" });
  });
});
