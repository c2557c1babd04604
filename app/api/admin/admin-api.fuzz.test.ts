import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { setDeps } from "@/server/config/deps";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "@/server/testing/test-deps";
import { seedFixture, type TFixture } from "@/server/testing/fixtures";
import {
  fuzzRuns,
  junkJson,
  junkObject,
  junkString,
  noteOutcome,
  printOutcomes,
  readAnswer,
} from "@/server/testing/fuzz";
import * as usersRoute from "./users/route";
import * as userRoute from "./users/[userId]/route";
import * as userBlockRoute from "./users/[userId]/block/route";
import * as passwordTicketRoute from "./users/[userId]/password-change-ticket/route";
import * as applicationsRoute from "./applications/route";
import * as applicationRoute from "./applications/[clientId]/route";
import * as connectionsRoute from "./connections/route";
import * as connectionRoute from "./connections/[connectionId]/route";
import * as rulesRoute from "./rules/route";
import * as ruleRoute from "./rules/[id]/route";
import * as policyRoute from "./attack-protection/[policy]/route";
import * as ipBlockRoute from "./anomaly/blocks/ips/[ip]/route";
import * as userBlocksRoute from "./user-blocks/route";
import * as userBlocksByIdRoute from "./user-blocks/[userId]/route";
import * as mfaRoute from "./mfa/route";
import * as apisRoute from "./apis/route";

// Property-based tests of a representative set of admin API routes (users, applications, connections, rules,
// attack-protection policies, IP blocks, user blocks, MFA settings, APIs), called as the admin API token: random
// and mutated JSON bodies and path segments never make a route fail (a thrown error or a 5xx), and a refused request
// (4xx) changes nothing in the database, audit log included.

const TOKEN = "admin-token-for-the-admin-api-fuzzer-0123456789";

type THandler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

type TRoute = {
  name: string;
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  handler: THandler;
  /** URL path for a path parameter (null: the route has none). */
  path: (param: string) => string;
  /** Route parameter name, and valid values for it (the fuzzer also tries junk). */
  param?: { name: string; valid: () => string[] };
  /** A body the route accepts, to mutate; null for routes without one. */
  valid: (() => Record<string, unknown>) | null;
};

/** Percent-encode a path segment; a lone surrogate (no UTF-8 form) goes as U+FFFD, as a browser would send it. */
function segment(s: string): string {
  return encodeURIComponent(s.replace(/\p{Cs}/gu, "\ufffd"));
}

/** The database's whole content, as comparable text (row order does not matter). */
async function snapshot(deps: TTestDeps): Promise<Record<string, string[]>> {
  const tables = {
    tenant: () => deps.db.all(`SELECT * FROM "Tenant"`),
    client: () => deps.db.all(`SELECT * FROM "Client"`),
    connection: () => deps.db.all(`SELECT * FROM "Connection"`),
    connectionClient: () => deps.db.all(`SELECT * FROM "ConnectionClient"`),
    user: () => deps.db.all(`SELECT * FROM "User"`),
    resourceServer: () => deps.db.all(`SELECT * FROM "ResourceServer"`),
    refreshToken: () => deps.db.all(`SELECT * FROM "RefreshToken"`),
    logEvent: () => deps.db.all(`SELECT * FROM "LogEvent"`),
    attackProtection: () => deps.db.all(`SELECT * FROM "AttackProtection"`),
    loginFailure: () => deps.db.all(`SELECT * FROM "LoginFailure"`),
    ipThrottle: () => deps.db.all(`SELECT * FROM "IpThrottle"`),
    notification: () => deps.db.all(`SELECT * FROM "Notification"`),
    rule: () => deps.db.all(`SELECT * FROM "Rule"`),
    ruleVersion: () => deps.db.all(`SELECT * FROM "RuleVersion"`),
    ruleSetting: () => deps.db.all(`SELECT * FROM "RuleSetting"`),
    mfaAuthenticator: () => deps.db.all(`SELECT * FROM "MfaAuthenticator"`),
  };
  const out: Record<string, string[]> = {};
  for (const [name, read] of Object.entries(tables)) {
    out[name] = ((await read()) as unknown[]).map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

describe.each(testDatabaseKinds())("admin API under fuzzing (%s)", (kind) => {
  let deps: TTestDeps;
  let fx: TFixture;
  let ruleId: string;
  let n = 0;

  beforeAll(async () => {
    deps = await createTestDeps(kind, { PORTCULLIS_ADMIN_API_TOKEN: TOKEN });
    fx = await seedFixture(deps);
    setDeps(deps);
    const created = await rulesRoute.POST(
      new Request("https://portcullis.test/api/admin/rules", {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({
          name: "fuzz-target",
          script: "function (user, context, callback) { callback(null, user, context); }",
          enabled: false,
        }),
      }),
      { params: Promise.resolve({}) },
    );
    expect(created.status).toBe(201);
    ruleId = ((await created.json()) as { rule: { id: string } }).rule.id;
  });
  afterAll(async () => {
    printOutcomes();
    await deps?.cleanup();
  });

  const unique = () => `${Date.now().toString(36)}${(n += 1)}`;
  const routes: TRoute[] = [
    {
      name: "POST /users",
      method: "POST",
      handler: usersRoute.POST,
      path: () => "/api/admin/users",
      valid: () => ({
        connection: "Username-Password-Authentication",
        email: `fuzz-${unique()}@example.com`,
        password: "Str0ng-enough-pass-for-fuzz",
      }),
    },
    {
      name: "PATCH /users/{id}",
      method: "PATCH",
      handler: userRoute.PATCH,
      path: (id) => `/api/admin/users/${segment(id)}`,
      param: { name: "userId", valid: () => [fx.users.alice.userId, fx.users.bcrypt.userId] },
      valid: () => ({ name: "Alice L.", given_name: "Alice", user_metadata: { theme: "dark" } }),
    },
    {
      name: "POST /users/{id}/block",
      method: "POST",
      handler: userBlockRoute.POST,
      path: (id) => `/api/admin/users/${segment(id)}/block`,
      param: { name: "userId", valid: () => [fx.users.partner.userId] },
      valid: () => ({ blocked: true }),
    },
    {
      name: "POST /users/{id}/password-change-ticket",
      method: "POST",
      handler: passwordTicketRoute.POST,
      path: (id) => `/api/admin/users/${segment(id)}/password-change-ticket`,
      param: { name: "userId", valid: () => [fx.users.partner.userId] },
      valid: () => ({ ttl_sec: 600, mark_email_as_verified: false }),
    },
    {
      name: "POST /applications",
      method: "POST",
      handler: applicationsRoute.POST,
      path: () => "/api/admin/applications",
      valid: () => ({
        name: `Fuzz app ${unique()}`,
        app_type: "regular_web",
        is_first_party: true,
        token_endpoint_auth_method: "client_secret_post",
        grant_types: ["password"],
        connections: [fx.connections.database.connectionId],
      }),
    },
    {
      name: "PATCH /applications/{id}",
      method: "PATCH",
      handler: applicationRoute.PATCH,
      path: (id) => `/api/admin/applications/${segment(id)}`,
      param: { name: "clientId", valid: () => [fx.clients.nonRotating.clientId] },
      valid: () => ({ name: `Kiosk ${unique()}`, refresh_leeway: 5 }),
    },
    {
      name: "POST /connections",
      method: "POST",
      handler: connectionsRoute.POST,
      path: () => "/api/admin/connections",
      valid: () => ({ name: `Fuzz-${unique()}`, enabled_clients: [fx.clients.web.clientId] }),
    },
    {
      name: "PATCH /connections/{id}",
      method: "PATCH",
      handler: connectionRoute.PATCH,
      path: (id) => `/api/admin/connections/${segment(id)}`,
      param: { name: "connectionId", valid: () => [fx.connections.partners.connectionId] },
      valid: () => ({ enabled_clients: [fx.clients.basic.clientId] }),
    },
    {
      name: "POST /rules",
      method: "POST",
      handler: rulesRoute.POST,
      path: () => "/api/admin/rules",
      valid: () => ({
        name: `fuzz-${unique()}`,
        script: "function (user, context, callback) { callback(null, user, context); }",
        enabled: false,
      }),
    },
    {
      name: "PATCH /rules/{id}",
      method: "PATCH",
      handler: ruleRoute.PATCH,
      path: (id) => `/api/admin/rules/${segment(id)}`,
      param: { name: "id", valid: () => [ruleId] },
      valid: () => ({ enabled: false, order: 3 }),
    },
    {
      name: "PATCH /attack-protection/{policy}",
      method: "PATCH",
      handler: policyRoute.PATCH,
      path: (p) => `/api/admin/attack-protection/${segment(p)}`,
      param: {
        name: "policy",
        valid: () => ["brute-force-protection", "suspicious-ip-throttling", "breached-password-detection"],
      },
      valid: () => ({ enabled: true, allowlist: ["10.0.0.0/8"], max_attempts: 10 }),
    },
    {
      name: "DELETE /anomaly/blocks/ips/{ip}",
      method: "DELETE",
      handler: ipBlockRoute.DELETE,
      path: (ip) => `/api/admin/anomaly/blocks/ips/${segment(ip)}`,
      param: { name: "ip", valid: () => ["203.0.113.5", "2001:db8::1", "::ffff:10.0.0.1"] },
      valid: null,
    },
    {
      name: "DELETE /user-blocks?identifier=",
      method: "DELETE",
      handler: userBlocksRoute.DELETE,
      path: (identifier) => `/api/admin/user-blocks?identifier=${segment(identifier)}`,
      param: { name: "", valid: () => [fx.users.alice.email, "ghost@example.com"] },
      valid: null,
    },
    {
      name: "DELETE /user-blocks/{id}",
      method: "DELETE",
      handler: userBlocksByIdRoute.DELETE,
      path: (id) => `/api/admin/user-blocks/${segment(id)}`,
      param: { name: "userId", valid: () => [fx.users.alice.userId] },
      valid: null,
    },
    {
      name: "PUT /mfa",
      method: "PUT",
      handler: mfaRoute.PUT,
      path: () => "/api/admin/mfa",
      valid: () => ({ policy: "never", otp: true, recoveryCode: true }),
    },
    {
      name: "POST /apis",
      method: "POST",
      handler: apisRoute.POST,
      path: () => "/api/admin/apis",
      valid: () => ({
        name: `Fuzz API ${unique()}`,
        identifier: `https://fuzz-${unique()}.test`,
        scopes: ["read:x"],
      }),
    },
  ];

  /** A body: the route's valid one mutated (fields replaced, dropped, added), any JSON object, or any text. */
  function body(route: TRoute): fc.Arbitrary<string | null> {
    const keys = route.valid ? Object.keys(route.valid()) : [];
    const edit = fc.oneof(
      fc.record({ op: fc.constant("replace" as const), key: fc.nat(), value: junkJson() }),
      fc.record({ op: fc.constant("drop" as const), key: fc.nat() }),
      // What the stores cannot hold, spliced into an otherwise valid value: NUL (PostgreSQL), lone surrogates (Prisma).
      fc.record({
        op: fc.constant("poison" as const),
        key: fc.nat(),
        with: fc.constantFrom("\u0000", "\ud800", "\udfff"),
      }),
      fc.record({
        op: fc.constant("add" as const),
        name: fc.oneof(
          fc.constantFrom("password", "app_metadata", "__proto__", "constructor", "id", "user_id", "blocked"),
          fc.string({ maxLength: 10 }),
        ),
        value: junkJson(),
      }),
    );
    const mutated = fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
      const b: Record<string, unknown> = route.valid ? route.valid() : {};
      for (const e of edits) {
        const k = keys.length > 0 && e.op !== "add" ? keys[e.key % keys.length]! : null;
        if (e.op === "replace" && k)
          Object.defineProperty(b, k, {
            value: e.value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        else if (e.op === "drop" && k) delete b[k];
        else if (e.op === "poison" && k) {
          const v = b[k];
          const poisoned =
            typeof v === "string" ? `${v}${e.with}` : Array.isArray(v) ? [...v, e.with] : e.with;
          Object.defineProperty(b, k, {
            value: poisoned,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        } else if (e.op === "add")
          Object.defineProperty(b, e.name, {
            value: e.value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
      }
      return JSON.stringify(b);
    });
    return fc.oneof(
      { weight: 4, arbitrary: mutated },
      { weight: 2, arbitrary: junkObject(keys).map((o) => JSON.stringify(o)) },
      { weight: 1, arbitrary: junkString() },
      { weight: 1, arbitrary: junkJson().map((v) => JSON.stringify(v) ?? "") },
      { weight: 1, arbitrary: fc.constant(null) },
    );
  }

  /** Call a route as Next.js would; a thrown error (withAdmin lets anything but an AdminError through) is a 500. */
  async function call(route: TRoute, req: Request, params: Record<string, string>, what: string) {
    try {
      return await readAnswer(await route.handler(req, { params: Promise.resolve(params) }));
    } catch (err) {
      throw new Error(`${what}: the route threw (a 500): ${String(err)}`, { cause: err });
    }
  }

  it("hand-picked path segments (the fuzzer's findings, kept as fixed cases) name nothing and fail nothing", async () => {
    const byName = (name: string) => routes.find((r) => r.name === name)!;
    const cases: [string, string, string | null][] = [
      // PostgreSQL refuses NUL in text: a user id with one failed the lookup with a 500.
      ["POST /users/{id}/block", "a\u0000b", '{"blocked":true}'],
      ["PATCH /users/{id}", "\u0000", '{"name":"X"}'],
      ["PATCH /rules/{id}", "rul_\u0000", '{"enabled":false}'],
      ["DELETE /user-blocks/{id}", "auth0|\u0000", null],
      // Next.js has decoded the segment already; decoding `%` again threw a URIError (500).
      ["POST /users/{id}/block", "%", '{"blocked":true}'],
    ];
    // NUL and lone surrogates in a JSON body are refused as a malformed body (400), not saved into a 500.
    for (const [name, text] of [
      ["POST /apis", '{"name":"API \\udfff","identifier":"https://nul.test"}'],
      [
        "POST /applications",
        '{"name":"App \\u0000","app_type":"spa","is_first_party":true,"token_endpoint_auth_method":"none","grant_types":[]}',
      ],
      ["PATCH /users/{id}", '{"name":"A\\u0000"}'],
      [
        "POST /rules",
        '{"name":"r-nul","script":"function (user, context, callback) { callback(null, user, context); } // \\u0000"}',
      ],
      ["PATCH /attack-protection/{policy}", '{"allowlist":["10.0.0.1\\u0000"]}'],
    ] as const) {
      const route = byName(name);
      const param = route.param?.valid()[0] ?? "";
      const before = await snapshot(deps);
      const answer = await call(
        route,
        new Request(`https://portcullis.test${route.path(param)}`, {
          method: route.method,
          headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
          body: text,
        }),
        route.param ? { [route.param.name]: param } : {},
        `${name} ${text}`,
      );
      expect({ name, status: answer.status }).toEqual({ name, status: 400 });
      expect(await snapshot(deps)).toEqual(before);
    }
    // The same for an identifier in the query: refused as invalid (400), not a 500.
    const query = byName("DELETE /user-blocks?identifier=");
    const q = await call(
      query,
      new Request(`https://portcullis.test${query.path("a\u0000b")}`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${TOKEN}` },
      }),
      {},
      "DELETE /user-blocks?identifier=a%00b",
    );
    expect(q.status).toBe(400);
    for (const [name, param, text] of cases) {
      const route = byName(name);
      const before = await snapshot(deps);
      const req = new Request(`https://portcullis.test${route.path(param)}`, {
        method: route.method,
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        ...(text !== null ? { body: text } : {}),
      });
      const what = `${name} ${JSON.stringify(param)}`;
      const answer = await call(route, req, { [route.param!.name]: param }, what);
      expect({ what, status: answer.status }).toEqual({ what, status: 404 });
      expect(await snapshot(deps)).toEqual(before);
    }
  });

  it("random and mutated bodies and path segments: never a 5xx; a refused request changes nothing", async () => {
    const request = fc.nat({ max: routes.length - 1 }).chain((i) => {
      const route = routes[i]!;
      const param = route.param
        ? fc.oneof(
            { weight: 2, arbitrary: fc.constantFrom(...route.param.valid()) },
            { weight: 2, arbitrary: junkString() },
            { weight: 1, arbitrary: fc.constantFrom("%", "%zz", "a%2Fb", "..", "fe80::1%eth0", "\u0000") },
          )
        : fc.constant("");
      return fc.tuple(
        fc.constant(i),
        param,
        route.method === "GET" || route.method === "DELETE" ? fc.constant(null) : body(route),
      );
    });
    await fc.assert(
      fc.asyncProperty(request, async ([i, param, text]) => {
        const route = routes[i]!;
        const before = await snapshot(deps);
        const req = new Request(`https://portcullis.test${route.path(param)}`, {
          method: route.method,
          headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
          ...(text !== null ? { body: text } : {}),
        });
        // Next.js hands a route its segments percent-decoded: what a URL can carry (NUL yes, a lone surrogate no).
        const params = route.param?.name ? { [route.param.name]: decodeURIComponent(segment(param)) } : {};
        const what = `${route.name} ${JSON.stringify({ param, body: text?.slice(0, 400) })}`;
        const { status, text: answerText } = await call(route, req, params, what);
        noteOutcome(`${route.name} ${status}`);
        if (status >= 500) throw new Error(`${what}: ${status} ${answerText.slice(0, 300)}`);
        if (status >= 400) {
          const after = await snapshot(deps);
          for (const table of Object.keys(before)) {
            if (JSON.stringify(before[table]) !== JSON.stringify(after[table])) {
              throw new Error(
                `${what}: refused with ${status} (${answerText.slice(0, 200)}) but changed ${table}`,
              );
            }
          }
        }
      }),
      fuzzRuns(200),
    );
  }, 240_000);
});
