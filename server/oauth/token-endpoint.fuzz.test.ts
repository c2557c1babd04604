import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { testDatabaseKinds } from "../testing/test-deps.ts";
import { useSeededDeps } from "../testing/use-deps.ts";
import { PASSWORD_GRANT, REALM_GRANT, passwordParams, callToken } from "../testing/token-calls.ts";
import { str } from "../testing/token-checks.ts";
import {
  assertOAuthAnswer,
  fuzzRuns,
  junkJson,
  junkObject,
  junkString,
  noteOutcome,
  printOutcomes,
  readAnswer,
  uniqueIp,
  type TAnswer,
} from "../testing/fuzz.ts";
import { handleTokenRequest, FORWARDED_FOR_HEADER } from "./token-endpoint.ts";
import { CLIENT_IP_HEADER } from "./core/request.ts";
import { MFA_OOB, MFA_OTP, MFA_RECOVERY_CODE } from "../mfa/require-mfa.ts";
import type { TClientRecord } from "../store/clients.ts";

// Property-based tests of POST /oauth/token: random and mutated requests never make it fail (5xx), every refusal is
// an OAuth error body, and an access token comes back only for a request that carries a valid client and the right
// password of an existing, unblocked user in a connection the client may use (or a refresh token issued to it).
// The oracle below reads the request as sent and the fixture's configuration; it never asks the server's code.

const DEFAULT_DIRECTORY = "Username-Password-Authentication";
const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";

const GRANT_TYPES = [
  PASSWORD_GRANT,
  REALM_GRANT,
  "refresh_token",
  MFA_OTP,
  MFA_OOB,
  MFA_RECOVERY_CODE,
  "client_credentials",
  "authorization_code",
  "urn:ietf:params:oauth:grant-type:jwt-bearer",
  "urn:ietf:params:oauth:grant-type:device_code",
  "http://auth0.com/oauth/grant-type/passwordless/otp",
  "http://auth0.com/oauth/grant-type/password-realm ",
  "PASSWORD",
];

const KNOWN_KEYS = [
  "grant_type",
  "client_id",
  "client_secret",
  "username",
  "password",
  "realm",
  "audience",
  "scope",
  "refresh_token",
  "mfa_token",
  "otp",
  "oob_code",
  "binding_code",
  "recovery_code",
  "connection",
  "__proto__",
];

const CONTENT_TYPES = [
  FORM,
  `${FORM};charset=UTF-8`,
  `  ${FORM.toUpperCase()} ; charset=iso-8859-1`,
  JSON_TYPE,
  `${JSON_TYPE}; charset=utf-8`,
  "text/plain",
  "multipart/form-data; boundary=x",
  "application/jsonx",
  "application/x-www-form-urlencoded-x",
  "",
];

/** A request as the fuzzer shapes it, before it becomes a web Request. */
type TShape = {
  encoding: "form" | "json" | "raw";
  /** Overrides the encoding's Content-Type; null sends none (fetch then says text/plain). */
  contentType?: string | null;
  fields: [string, unknown][];
  raw?: string;
  authorization?: string;
  forwardedFor?: string;
  ip: string;
};

function toFormValue(v: unknown): string {
  return typeof v === "string" ? v : (JSON.stringify(v) ?? "");
}

/** What an HTTP header can carry at all (no CR, LF, NUL, nothing past Latin-1): the rest never reaches a server. */
function headerValue(v: string): string {
  return v.replace(/[^\t\x20-\x7e\x80-\xff]/g, "");
}

function toRequest(s: TShape): Request {
  const headers = new Headers({ [CLIENT_IP_HEADER]: s.ip, "user-agent": "fuzz/1.0" });
  if (s.authorization !== undefined) headers.set("authorization", headerValue(s.authorization));
  if (s.forwardedFor !== undefined) headers.set(FORWARDED_FOR_HEADER, headerValue(s.forwardedFor));
  let body: string;
  let contentType: string | null;
  if (s.encoding === "form") {
    body = new URLSearchParams(s.fields.map(([k, v]) => [k, toFormValue(v)])).toString();
    contentType = FORM;
  } else if (s.encoding === "json") {
    body = JSON.stringify(Object.fromEntries(s.fields));
    contentType = JSON_TYPE;
  } else {
    body = s.raw ?? "";
    contentType = null;
  }
  if (s.contentType !== undefined) contentType = s.contentType;
  if (contentType !== null) headers.set("content-type", headerValue(contentType));
  return new Request("https://portcullis.test/oauth/token", { method: "POST", headers, body });
}

/**
 * The parameters a request carries, read from its wire form by the rules RFC 6749 and the contract give (one value
 * per name, JSON scalars as strings); null when it must be refused whatever it says.
 */
async function wireParams(req: Request): Promise<Record<string, string> | null> {
  const media = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const text = await req.text();
  const out = new Map<string, string>();
  if (media === FORM) {
    for (const [k, v] of new URLSearchParams(text)) {
      if (out.has(k)) return null;
      out.set(k, v);
    }
  } else if (media === JSON_TYPE) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return null;
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return null;
    for (const [k, v] of Object.entries(parsed)) {
      if (v === null) continue;
      if (typeof v === "string") out.set(k, v);
      else if (typeof v === "number" || typeof v === "boolean") out.set(k, String(v));
      else return null;
    }
  } else return null;
  // The stores cannot hold NUL or lone surrogates: such a request is refused whatever it says.
  const isUnstorable = (s: string) => s.includes("\u0000") || /\p{Cs}/u.test(s);
  if ([...out].some(([k, v]) => isUnstorable(k) || isUnstorable(v))) return null;
  return Object.fromEntries(out);
}

/** HTTP Basic credentials as RFC 6749 §2.3.1 defines them; "malformed" when the header says Basic but is not. */
function basicCredentials(header: string | null): { id: string; secret: string } | null | "malformed" {
  if (!header || !/^basic /i.test(header)) return null;
  const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
  const i = decoded.indexOf(":");
  if (i < 0) return "malformed";
  try {
    const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
    return { id: dec(decoded.slice(0, i)), secret: dec(decoded.slice(i + 1)) };
  } catch {
    return "malformed";
  }
}

type TModel = {
  clients: { record: TClientRecord; secret: string | null }[];
  /** Connection name → internal id. */
  connections: Map<string, string>;
  users: { email: string; username: string | null; password: string; connection: string; blocked: boolean }[];
  /** Refresh token → public client_id it was issued to. */
  refreshTokens: Map<string, string>;
};

/** Whether a token may be issued for these parameters: the necessary conditions, from the fixture alone. */
function mayIssue(m: TModel, p: Record<string, string>, authorization: string | null): boolean {
  const basic = basicCredentials(authorization);
  if (basic === "malformed") return false;
  if (basic && p.client_secret !== undefined) return false;
  if (basic && p.client_id !== undefined && p.client_id !== basic.id) return false;
  const c = m.clients.find((x) => x.record.clientId === (basic?.id ?? p.client_id));
  if (!c) return false;
  const method = c.record.tokenEndpointAuthMethod;
  if (method === "none") {
    if (basic || p.client_secret !== undefined) return false;
  } else if (method === "client_secret_basic") {
    if (!basic || basic.secret !== c.secret) return false;
  } else if (basic || p.client_secret !== c.secret) return false;
  const grant = p.grant_type ?? "";
  if (!c.record.grantTypes.includes(grant)) return false;
  if (grant === PASSWORD_GRANT || grant === REALM_GRANT) {
    if (!c.record.isFirstParty || !p.username || !p.password) return false;
    if (grant === REALM_GRANT && !p.realm) return false;
    const connection = p.realm || DEFAULT_DIRECTORY;
    const connectionId = m.connections.get(connection);
    if (!connectionId || !c.record.connectionIds.includes(connectionId)) return false;
    const user = m.users.find(
      (u) =>
        u.connection === connection &&
        (u.email === p.username!.toLowerCase() || (u.username !== null && u.username === p.username)),
    );
    return !!user && !user.blocked && user.password === p.password;
  }
  if (grant === "refresh_token") return m.refreshTokens.get(p.refresh_token ?? "") === c.record.clientId;
  // No MFA in this tenant: nothing has an mfa_token; other grants are not implemented.
  return false;
}

afterAll(printOutcomes);

describe.each(testDatabaseKinds())("POST /oauth/token under fuzzing (%s)", (kind) => {
  const t = useSeededDeps(kind);
  let model: TModel;
  /** Valid requests, one per client-authentication method and grant. */
  let templates: { name: string; shape: () => TShape; credentialKeys: string[] }[];
  /** Credentials of other users, clients and realms, to swap into a valid request. */
  let lookalikes: string[];

  async function send(shape: TShape): Promise<{ answer: TAnswer; allowed: boolean }> {
    const req = toRequest(shape);
    const params = await wireParams(req.clone());
    const allowed = params !== null && mayIssue(model, params, req.headers.get("authorization"));
    const answer = await readAnswer(await handleTokenRequest(req, t.deps));
    noteOutcome(
      `${answer.status} ${(answer.body as { error?: string } | null)?.error ?? ""} allowed=${allowed}`,
    );
    return { answer, allowed };
  }

  /** The properties every answer must have: no 5xx, OAuth error shape, a token only when the oracle allows it. */
  function check(r: { answer: TAnswer; allowed: boolean }, shape: TShape): void {
    const what = `request ${JSON.stringify({ ...shape, raw: shape.raw?.slice(0, 200) }).slice(0, 1500)}`;
    assertOAuthAnswer(r.answer, what);
    const body = r.answer.body as Record<string, unknown> | null;
    const hasToken = !!body && typeof body === "object" && "access_token" in body;
    if ((r.answer.status === 200 || hasToken) && !r.allowed) {
      throw new Error(`${what}: issued a token without valid credentials (${r.answer.text.slice(0, 200)})`);
    }
    if (r.answer.status === 200 && !hasToken) throw new Error(`${what}: 200 without access_token`);
    if (r.answer.status !== 200 && body) {
      // Exactly the RFC 6749 §5.2 fields (an mfa_required refusal adds its mfa_token, contract §4.1).
      const expected =
        body.error === "mfa_required" ? "error,error_description,mfa_token" : "error,error_description";
      if (Object.keys(body).sort().join() !== expected)
        throw new Error(`${what}: refusal body ${r.answer.text}`);
    }
  }

  beforeAll(async () => {
    const { deps, fx } = t;
    const clients = await Promise.all(
      Object.values(fx.clients).map(async (c) => ({
        record: (await deps.config.client(c.clientId))!,
        secret: "secret" in c ? c.secret : null,
      })),
    );
    const connections = new Map(Object.values(fx.connections).map((c) => [c.name, c.id]));
    const users = Object.entries(fx.users).map(([name, u]) => ({
      email: u.email,
      username: u.username,
      password: u.password,
      connection: u.connection,
      blocked: name === "blocked",
    }));
    model = { clients, connections, users, refreshTokens: new Map() };

    // A refresh token of the non-rotating client stays valid however often it is used.
    const kiosk = fx.clients.nonRotating;
    const login = await callToken(deps, {
      params: passwordParams(kiosk, fx.users.alice, {
        audience: fx.apis.orders.identifier,
        scope: "openid offline_access",
      }),
      socketIp: uniqueIp(),
    });
    expect(login.status).toBe(200);
    const refresh = str(login.body.refresh_token);
    model.refreshTokens.set(refresh, kiosk.clientId);

    const { web, basic, spa, hs256 } = fx.clients;
    const { alice, danaEmployee, danaCustomer, bcrypt, partner } = fx.users;
    const basicHeader = (id: string, secret: string) =>
      `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`;
    templates = [
      {
        name: "password, client_secret_post, form",
        credentialKeys: ["grant_type", "client_id", "client_secret", "username", "password"],
        shape: () => ({
          encoding: "form",
          ip: uniqueIp(),
          fields: Object.entries(passwordParams(web, alice, { scope: "openid profile" })),
        }),
      },
      {
        name: "password-realm, client_secret_post, JSON",
        credentialKeys: ["grant_type", "client_id", "client_secret", "username", "password", "realm"],
        shape: () => ({
          encoding: "json",
          ip: uniqueIp(true),
          fields: [
            ["grant_type", REALM_GRANT],
            ["client_id", web.clientId],
            ["client_secret", web.secret],
            ["username", alice.email],
            ["password", alice.password],
            ["realm", DEFAULT_DIRECTORY],
            ["audience", fx.apis.orders.identifier],
            ["scope", "openid read:orders"],
          ],
        }),
      },
      {
        name: "password-realm, client_secret_basic, form with charset",
        credentialKeys: ["grant_type", "username", "password", "realm"],
        shape: () => ({
          encoding: "form",
          contentType: `${FORM};charset=UTF-8`,
          ip: uniqueIp(),
          authorization: basicHeader(basic.clientId, basic.secret),
          fields: [
            ["grant_type", REALM_GRANT],
            ["username", danaEmployee.email],
            ["password", danaEmployee.password],
            ["realm", fx.connections.employees.name],
          ],
        }),
      },
      {
        name: "password-realm, public client, JSON",
        credentialKeys: ["grant_type", "client_id", "username", "password", "realm"],
        shape: () => ({
          encoding: "json",
          ip: uniqueIp(),
          fields: [
            ["grant_type", REALM_GRANT],
            ["client_id", spa.clientId],
            ["username", danaCustomer.email],
            ["password", danaCustomer.password],
            ["realm", fx.connections.customers.name],
          ],
        }),
      },
      {
        name: "password, bcrypt-imported user, HS256 client",
        credentialKeys: ["grant_type", "client_id", "client_secret", "username", "password"],
        shape: () => ({
          encoding: "form",
          ip: uniqueIp(),
          fields: Object.entries(passwordParams(hs256, bcrypt)),
        }),
      },
      {
        name: "password with a realm, Basic client, Partners",
        credentialKeys: ["grant_type", "client_id", "username", "password", "realm"],
        shape: () => ({
          encoding: "form",
          ip: uniqueIp(),
          authorization: basicHeader(basic.clientId, basic.secret),
          fields: [
            ["grant_type", PASSWORD_GRANT],
            ["client_id", basic.clientId],
            ["username", partner.email],
            ["password", partner.password],
            ["realm", fx.connections.partners.name],
          ],
        }),
      },
      {
        name: "refresh_token, non-rotating client",
        credentialKeys: ["grant_type", "client_id", "client_secret", "refresh_token"],
        shape: () => ({
          encoding: "form",
          ip: uniqueIp(),
          fields: [
            ["grant_type", "refresh_token"],
            ["client_id", kiosk.clientId],
            ["client_secret", kiosk.secret],
            ["refresh_token", refresh],
          ],
        }),
      },
    ];
    lookalikes = [
      ...Object.values(fx.users).flatMap((u) => [
        u.email,
        u.email.toUpperCase(),
        u.password,
        `${u.password} `,
      ]),
      ...Object.values(fx.users).map((u) => u.password.toUpperCase()),
      ...Object.values(fx.clients).flatMap((c) => [c.clientId, "secret" in c ? c.secret : ""]),
      ...Object.values(fx.connections).flatMap((c) => [c.name, c.name.toLowerCase(), c.connectionId]),
      ...GRANT_TYPES,
      refresh,
      refresh.slice(0, -1),
      `${refresh}x`,
    ];
  });

  it("accepts every valid template as it is (the properties below start from real logins)", async () => {
    for (const tpl of templates) {
      const shape = tpl.shape();
      const r = await send(shape);
      expect({ name: tpl.name, status: r.answer.status, allowed: r.allowed }).toEqual({
        name: tpl.name,
        status: 200,
        allowed: true,
      });
    }
  });

  it("hand-picked hostile requests (the fuzzer's findings, kept as fixed cases) are refused with 4xx", async () => {
    const { web } = t.fx.clients;
    const valid = passwordParams(web, t.fx.users.alice);
    const basic = (s: string) => `Basic ${Buffer.from(s).toString("base64")}`;
    const cases: TShape[] = [
      // PostgreSQL cannot hold NUL: a username or client_id with one failed the store (503, 500).
      { encoding: "form", ip: uniqueIp(), fields: Object.entries({ ...valid, username: "a\u0000b" }) },
      { encoding: "json", ip: uniqueIp(), fields: Object.entries({ ...valid, client_id: "\u0000" }) },
      {
        encoding: "form",
        ip: uniqueIp(),
        authorization: basic("\u0000:x"),
        fields: [["grant_type", "password"]],
      },
      // Prisma cannot read a lone surrogate: an audience with one failed the resource-server lookup (500).
      { encoding: "json", ip: uniqueIp(), fields: Object.entries({ ...valid, audience: "\udfff" }) },
      { encoding: "json", ip: uniqueIp(), fields: Object.entries({ ...valid, client_id: "\ud800" }) },
    ];
    for (const shape of cases) {
      const r = await send(shape);
      check(r, shape);
      expect(r.answer.status).toBeGreaterThanOrEqual(400);
    }
    // A repeated `__proto__` parameter is a repeated parameter (it used to slip past the check and log in).
    const repeated = await send({
      encoding: "form",
      ip: uniqueIp(),
      fields: [...Object.entries(valid), ["__proto__", "a"], ["__proto__", "b"]],
    });
    expect(repeated.answer.status).toBe(400);
  });

  const mutation = () =>
    fc.oneof(
      fc.record({ op: fc.constant("drop" as const), i: fc.nat() }),
      fc.record({ op: fc.constant("duplicate" as const), i: fc.nat(), value: fc.option(junkString()) }),
      fc.record({ op: fc.constant("replace" as const), i: fc.nat(), value: junkJson() }),
      fc.record({
        op: fc.constant("swap" as const),
        i: fc.nat(),
        pick: fc.nat(),
      }),
      fc.record({
        op: fc.constant("add" as const),
        key: fc.oneof(fc.constantFrom(...KNOWN_KEYS), fc.string({ maxLength: 10 })),
        value: junkJson(),
      }),
      fc.record({
        op: fc.constant("encoding" as const),
        to: fc.constantFrom("form" as const, "json" as const),
      }),
      fc.record({
        op: fc.constant("contentType" as const),
        value: fc.oneof(fc.constantFrom(...CONTENT_TYPES), junkString(), fc.constant(null)),
      }),
      fc.record({
        op: fc.constant("authorization" as const),
        value: fc.oneof(
          junkString(),
          fc.constantFrom("Basic ", "Basic Og==", "Basic %%%", "Bearer x", "basic YTpi"),
          junkString().map((s) => `Basic ${Buffer.from(s).toString("base64")}`),
          fc
            .tuple(junkString(), junkString())
            .map(([id, secret]) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`),
        ),
      }),
      fc.record({
        op: fc.constant("forwardedFor" as const),
        value: fc.oneof(fc.ipV4(), fc.ipV6(), junkString()),
      }),
      fc.record({ op: fc.constant("raw" as const), value: junkString() }),
    );
  type TMutation = ReturnType<typeof mutation> extends fc.Arbitrary<infer M> ? M : never;

  function mutate(shape: TShape, m: TMutation): TShape {
    const fields = [...shape.fields];
    const at = (i: number) => (fields.length === 0 ? -1 : i % fields.length);
    switch (m.op) {
      case "drop": {
        const i = at(m.i);
        if (i >= 0) fields.splice(i, 1);
        return { ...shape, fields };
      }
      case "duplicate": {
        const i = at(m.i);
        if (i >= 0) fields.push([fields[i]![0], m.value ?? fields[i]![1]]);
        return { ...shape, fields };
      }
      case "replace": {
        const i = at(m.i);
        if (i >= 0) fields[i] = [fields[i]![0], m.value];
        return { ...shape, fields };
      }
      case "swap": {
        const i = at(m.i);
        if (i >= 0) fields[i] = [fields[i]![0], lookalikes[m.pick % lookalikes.length]];
        return { ...shape, fields };
      }
      case "add":
        return { ...shape, fields: [...fields, [m.key, m.value]] };
      case "encoding":
        return { ...shape, encoding: m.to, contentType: undefined };
      case "contentType":
        return { ...shape, contentType: m.value };
      case "authorization":
        return { ...shape, authorization: m.value };
      case "forwardedFor":
        return { ...shape, forwardedFor: m.value };
      case "raw":
        return { ...shape, encoding: "raw", raw: m.value };
    }
  }

  it("mutated valid requests: no 5xx, OAuth error bodies, a token only with valid credentials", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: templates.length - 1 }),
        fc.array(mutation(), { minLength: 1, maxLength: 4 }),
        async (i, mutations) => {
          const shape = mutations.reduce(mutate, templates[i]!.shape());
          check(await send(shape), shape);
        },
      ),
      fuzzRuns(300),
    );
  }, 180_000);

  it("a valid request with its username, password, secret, client or realm changed never gets a token", async () => {
    const passwordTemplates = templates.filter((tpl) => tpl.credentialKeys.includes("password"));
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: passwordTemplates.length - 1 }),
        fc.nat(),
        fc.oneof(
          fc.nat().map((n) => lookalikes[n % lookalikes.length]!),
          junkString(),
          fc.constant(""),
        ),
        fc.array(
          fc.record({
            key: fc.constantFrom("scope", "audience", "connection", "x"),
            value: junkString(),
          }),
          { maxLength: 2 },
        ),
        async (ti, ki, replacement, extras) => {
          const tpl = passwordTemplates[ti]!;
          const shape = tpl.shape();
          const credential = [
            "username",
            "password",
            "client_secret",
            "client_id",
            "realm",
            "authorization",
          ].filter((k) =>
            k === "authorization" ? shape.authorization !== undefined : shape.fields.some(([f]) => f === k),
          );
          const key = credential[ki % credential.length]!;
          if (key === "authorization") {
            const creds = basicCredentials(shape.authorization ?? null) as { id: string; secret: string };
            fc.pre(replacement !== creds.secret);
            // A lone surrogate has no percent-encoding; such a secret goes into the header as it is.
            const enc = (v: string) => (/\p{Cs}/u.test(v) ? v : encodeURIComponent(v));
            shape.authorization = `Basic ${Buffer.from(`${enc(creds.id)}:${enc(replacement)}`).toString("base64")}`;
          } else {
            const original = String(shape.fields.find(([f]) => f === key)![1]);
            // Emails are matched case-insensitively: another spelling of the same one is not a change.
            const same =
              key === "username"
                ? replacement.toLowerCase() === original.toLowerCase()
                : replacement === original;
            fc.pre(!same);
            shape.fields = shape.fields.map(([f, v]) => [f, f === key ? replacement : v]);
          }
          for (const e of extras) shape.fields.push([e.key, e.value]);
          const r = await send(shape);
          check(r, shape);
          if (r.answer.status === 200)
            throw new Error(`changed ${key} to ${JSON.stringify(replacement)} and got 200`);
        },
      ),
      fuzzRuns(300),
    );
  }, 180_000);

  it("random bodies, content types and headers: no 5xx, OAuth error bodies, never a token", async () => {
    const body = fc.oneof(
      fc.record({
        encoding: fc.constant("json" as const),
        fields: junkObject(KNOWN_KEYS).map((o) => Object.entries(o)),
      }),
      fc.record({
        encoding: fc.constant("form" as const),
        fields: fc.array(
          fc.tuple(
            fc.oneof(fc.constantFrom(...KNOWN_KEYS), junkString()),
            fc.oneof(fc.constantFrom(...GRANT_TYPES), junkString()),
          ),
          { maxLength: 8 },
        ),
      }),
      fc.record({
        encoding: fc.constant("raw" as const),
        fields: fc.constant([] as [string, unknown][]),
        raw: fc.oneof(
          junkString(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.constantFrom("{", "[]", "null", '"x"', "grant_type=password&grant_type=password", "%%=%%"),
        ),
        contentType: fc.oneof(fc.constantFrom(...CONTENT_TYPES), junkString(), fc.constant(null)),
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        body,
        fc.option(fc.constantFrom(...GRANT_TYPES)),
        fc.option(fc.oneof(junkString(), fc.constantFrom("Basic Og==", "Basic OmE=", "Bearer "))),
        async (b, grantType, authorization) => {
          const fields: [string, unknown][] = grantType ? [["grant_type", grantType], ...b.fields] : b.fields;
          const shape: TShape = {
            ...b,
            fields,
            ip: uniqueIp(),
            ...(authorization !== null ? { authorization } : {}),
          };
          check(await send(shape), shape);
        },
      ),
      fuzzRuns(300),
    );
  }, 180_000);
});
