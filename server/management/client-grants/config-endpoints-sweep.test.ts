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
import { setRuleSetting } from "../../admin/rules/rule-settings.ts";
import { createRule } from "../../admin/rules/create-rule.ts";

// Every endpoint of the rules, rules-configs, actions, clients, connections and client-grants families, hit with
// malformed ids, queries and bodies: never a 5xx, always Auth0's error body; and no answer, good or bad, ever holds
// a secret (client secrets, an HS256 API's secret, rule setting values, action secret values).

const RULE_SETTING_VALUE = "rules-config-secret-71c0aa";
const ACTION_SECRET_VALUE = "action-secret-value-5e02bb";
const SCOPES = [
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
  "read:client_keys",
  "read:connections",
  "read:client_grants",
  "create:client_grants",
  "update:client_grants",
  "delete:client_grants",
];

/**
 * Path ids no resource has: an encoded percent, NUL, a slash, emoji, a huge one. (Segments that are not UTF-8, such
 * as a lone surrogate's bytes, never reach a route: the router refuses to decode them.)
 */
const BAD_IDS = ["%25", "%2525", "%00", "a%2Fb", "%F0%9F%98%80", ".x.", "x".repeat(5000), "'%20OR%201=1--"];

/** Raw request bodies: not JSON, not an object, wrong types, NUL and lone surrogates, deep nesting. */
const BAD_BODIES = [
  "",
  "not json",
  "{",
  "[]",
  "null",
  "42",
  '"text"',
  '{"name":{"$gt":""},"script":["x"],"scope":{"a":1},"value":{}}',
  '{"name":"a\\u0000b","script":"x\\ud800","key":"k","value":"\\u0000"}',
  '{"client_id":null,"audience":null,"scope":null}',
  '{"scope":["' + "s".repeat(300) + '"]}',
  '{"value":"' + "v".repeat(10_000) + '"}',
  "[".repeat(5000) + "]".repeat(5000),
  '{"a":' + "[".repeat(3000) + "]".repeat(3000) + "}",
];

describe.each(testDatabaseKinds())("configuration endpoints under malformed input (%s)", (kind) => {
  const t = useSeededDeps(kind);
  let api: TManagementServer;
  let token: string;
  let ruleId: string;
  let actionId: string;
  const answers: string[] = [];
  const secrets = () => [...t.fx.secrets, t.fx.apis.legacy.secret, RULE_SETTING_VALUE, ACTION_SECRET_VALUE];

  beforeAll(async () => {
    api = await startManagementServer(t.deps);
    token = await managementToken(t.deps, t.fx.clients.noPassword, SCOPES);
    await setRuleSetting(t.deps, adminOf("admin"), "SWEEP_KEY", { value: RULE_SETTING_VALUE });
    ruleId = (
      await createRule(t.deps, adminOf("admin"), {
        name: "uses-setting",
        script: "function (user, context, callback) { callback(null, user, context); }",
      })
    ).rule.id;
    [actionId] = (await bindActions(t.deps, {
      name: "sweep-action",
      code: "exports.onExecutePostLogin = async () => {};",
      secrets: { KEY: ACTION_SECRET_VALUE },
    })) as [string];
  });
  afterAll(async () => {
    await api.close();
  });

  async function send(method: string, path: string, body?: string) {
    // A second per request keeps the client's rate-limit bucket full (the sweep is hundreds of calls).
    t.deps.clock.advance(1000);
    const res = await fetch(`${api.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body,
    });
    const text = await res.text();
    answers.push(text);
    const what = `${method} ${path.slice(0, 80)} ${String(body).slice(0, 40)}`;
    expect(res.status, what).toBeLessThan(500);
    if (res.status >= 400) {
      expect(text, what).not.toBe("");
      const parsed = JSON.parse(text) as Record<string, unknown>;
      expect(parsed, what).toMatchObject({
        statusCode: res.status,
        error: expect.any(String),
        message: expect.any(String),
      });
    }
    return res.status;
  }

  it("answers malformed path ids with 4xx in Auth0's body", async () => {
    for (const id of BAD_IDS) {
      await send("GET", `/api/v2/rules/${id}`);
      await send("PATCH", `/api/v2/rules/${id}`, '{"enabled":true}');
      await send("DELETE", `/api/v2/rules/${id}`);
      await send("PUT", `/api/v2/rules-configs/${id}`, '{"value":"v"}');
      await send("DELETE", `/api/v2/rules-configs/${id}`);
      await send("GET", `/api/v2/actions/actions/${id}`);
      await send("POST", `/api/v2/actions/actions/${id}/deploy`);
      await send("GET", `/api/v2/actions/triggers/${id}/bindings`);
      await send("GET", `/api/v2/clients/${id}`);
      await send("GET", `/api/v2/connections/${id}`);
      await send("PATCH", `/api/v2/client-grants/${id}`, '{"scope":[]}');
      await send("DELETE", `/api/v2/client-grants/${id}`);
    }
  });

  it("answers malformed bodies with 400 invalid_body (413 when over the size limit)", async () => {
    const targets: [string, string][] = [
      ["POST", "/api/v2/rules"],
      ["PATCH", `/api/v2/rules/${ruleId}`],
      ["PUT", "/api/v2/rules-configs/SWEEP_OTHER"],
      ["POST", "/api/v2/client-grants"],
      ["PATCH", "/api/v2/client-grants/cgr_unknown"],
    ];
    for (const [method, path] of targets) {
      for (const body of BAD_BODIES) {
        const status = await send(method, path, body);
        expect([400, 404], `${method} ${path} ${body.slice(0, 30)}`).toContain(status);
      }
      const huge = await send(method, path, JSON.stringify({ script: "x".repeat(2 * 1024 * 1024) }));
      expect(huge).toBe(413);
    }
  });

  it("answers malformed query strings with a 4xx (or ignores a filter that matches nothing), never a 5xx", async () => {
    const lists = [
      "/api/v2/rules",
      "/api/v2/actions/actions",
      "/api/v2/actions/triggers/post-login/bindings",
      "/api/v2/clients",
      "/api/v2/connections",
      "/api/v2/client-grants",
    ];
    const queries = [
      "per_page=1e3",
      "page=%00",
      "per_page=-1",
      "include_totals=%F0%9F%98%80",
      `fields=${"f,".repeat(2000)}`,
      "fields=%00",
      "enabled=%00",
      `audience=${"a".repeat(700)}`,
      "client_id=%ED%A0%80",
      "app_type=%00",
      "is_first_party=2",
      "deployed=x",
      `triggerId=${"t".repeat(100)}`,
    ];
    for (const path of lists) for (const q of queries) await send("GET", `${path}?${q}`);
    // Filters that simply match nothing are fine; a broken one is a 400, never a 500.
    expect(await send("GET", "/api/v2/connections?strategy=%00&name=%00")).toBeLessThan(500);
  });

  it("never answers a secret: reads of every family after the sweep hold none", async () => {
    for (const path of [
      "/api/v2/rules",
      `/api/v2/rules/${ruleId}`,
      "/api/v2/rules-configs",
      "/api/v2/actions/actions",
      `/api/v2/actions/actions/${actionId}`,
      "/api/v2/actions/triggers/post-login/bindings",
      "/api/v2/clients?per_page=100",
      `/api/v2/clients/${t.fx.clients.hs256.clientId}`,
      "/api/v2/connections",
      "/api/v2/client-grants",
    ])
      expect(await send("GET", path), path).toBe(200);
    expect(await send("POST", `/api/v2/actions/actions/${actionId}/deploy`)).toBe(200);
    const everything = answers.join("\n");
    expect(answers.length).toBeGreaterThan(200);
    for (const secret of secrets()) expect(everything).not.toContain(secret);
  });
});
