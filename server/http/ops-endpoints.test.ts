import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { seedFixture, type TFixture } from "../testing/fixtures.ts";
import { passwordParams } from "../testing/token-calls.ts";
import { createLogger } from "../platform/logger.ts";
import { isMetricsAuthorized } from "../ops/answer-metrics.ts";
import { createHttpServer, loggablePath } from "./serve.ts";

const METRICS_TOKEN = "metrics-token-for-tests-0123456789";

async function listen(server: Server): Promise<{ base: string; close(): Promise<void> }> {
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}

// Stand-in for Next.js: everything that is not served by our HTTP server itself.
const notFound = async (_req: unknown, res: { writeHead(s: number): { end(): void } }) => {
  res.writeHead(404).end();
};

describe("metrics token check", () => {
  it("accepts only the exact bearer token", () => {
    expect(isMetricsAuthorized(`Bearer ${METRICS_TOKEN}`, METRICS_TOKEN)).toBe(true);
    expect(isMetricsAuthorized(`bearer   ${METRICS_TOKEN}`, METRICS_TOKEN)).toBe(true);
    expect(isMetricsAuthorized(`Bearer ${METRICS_TOKEN}x`, METRICS_TOKEN)).toBe(false);
    expect(isMetricsAuthorized(`Basic ${METRICS_TOKEN}`, METRICS_TOKEN)).toBe(false);
    expect(isMetricsAuthorized(METRICS_TOKEN, METRICS_TOKEN)).toBe(false);
    expect(isMetricsAuthorized("Bearer ", METRICS_TOKEN)).toBe(false);
    expect(isMetricsAuthorized(undefined, METRICS_TOKEN)).toBe(false);
  });

  it("logs paths without their query string or credential segments", () => {
    expect(loggablePath("/oauth/token?password=hunter2&client_secret=s")).toBe("/oauth/token");
    expect(loggablePath("/unblock/eyJhbGciOi.secret.token")).toBe("/unblock/[redacted]");
    expect(loggablePath("/x/" + "a".repeat(400)).length).toBeLessThan(300);
  });
});

describe.each(testDatabaseKinds())("operations endpoints (%s)", (kind) => {
  let deps: TTestDeps;
  let http: { base: string; close(): Promise<void> };
  beforeAll(async () => {
    deps = await createTestDeps(kind, { METRICS_TOKEN });
    http = await listen(createHttpServer(deps, notFound));
  });
  afterAll(async () => {
    await http?.close();
    await deps?.cleanup();
  });

  it("GET /healthz answers 200 {status: ok}", async () => {
    const res = await fetch(`${http.base}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("GET /readyz answers 200 when the database answers and every shipped migration is applied", async () => {
    const res = await fetch(`${http.base}/readyz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; migrations: number };
    expect(body.status).toBe("ok");
    expect(body.migrations).toBeGreaterThan(0);
  });

  it("GET /readyz answers 503 while a migration is pending or the database has one this build does not ship", async () => {
    const [last] = await deps.db.all<{ name: string; checksum: string; applied_at: unknown }>(
      'SELECT name, checksum, applied_at FROM "_portcullis_migrations" ORDER BY name DESC LIMIT 1',
    );
    await deps.db.run('DELETE FROM "_portcullis_migrations" WHERE name = ?', [last!.name]);
    try {
      const res = await fetch(`${http.base}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        status: "unavailable",
        reason: "migrations_not_current",
        pending: [last!.name],
        unknown: [],
        edited: [],
      });
    } finally {
      await deps.db.run(
        'INSERT INTO "_portcullis_migrations" (name, checksum, applied_at) VALUES (?, ?, ?)',
        [last!.name, last!.checksum, new Date()],
      );
    }
    await deps.db.run('INSERT INTO "_portcullis_migrations" (name, checksum, applied_at) VALUES (?, ?, ?)', [
      "99990101000000_from_a_newer_build",
      "x",
      new Date(),
    ]);
    try {
      const res = await fetch(`${http.base}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ unknown: ["99990101000000_from_a_newer_build"] });
    } finally {
      await deps.db.run('DELETE FROM "_portcullis_migrations" WHERE name = ?', [
        "99990101000000_from_a_newer_build",
      ]);
    }
    expect((await fetch(`${http.base}/readyz`)).status).toBe(200);
  });

  it("GET /metrics: 401 without the bearer token, Prometheus text with it", async () => {
    expect((await fetch(`${http.base}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${http.base}/metrics`, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const res = await fetch(`${http.base}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const name of [
      "portcullis_logins_total",
      "portcullis_token_request_duration_seconds",
      "portcullis_password_hash_duration_seconds",
      "portcullis_rules_pipeline_duration_seconds",
      "portcullis_protection_blocks_total",
      "portcullis_mfa_required_total",
      "portcullis_mfa_verifications_total",
      "portcullis_audit_records_pruned_total",
      "process_cpu_user_seconds_total",
      "nodejs_eventloop_lag_seconds",
    ])
      expect(text).toContain(`# TYPE ${name} `);
  });
});

describe.each(testDatabaseKinds())("operations endpoints without configuration or database (%s)", (kind) => {
  it("/metrics is 404 without METRICS_TOKEN; /healthz stays 200 and /readyz says 503 without details when the database is gone", async () => {
    const deps = await createTestDeps(kind);
    const http = await listen(createHttpServer(deps, notFound));
    try {
      const metrics = await fetch(`${http.base}/metrics`, { headers: { authorization: "Bearer anything" } });
      expect(metrics.status).toBe(404);
      await deps.db.close();
      expect((await fetch(`${http.base}/healthz`)).status).toBe(200);
      const res = await fetch(`${http.base}/readyz`);
      expect(res.status).toBe(503);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ status: "unavailable", reason: "database_unreachable" });
      expect(text).not.toMatch(/postgres|file:|\bat\s|Error/);
    } finally {
      await http.close();
      await deps.cleanup().catch(() => undefined);
    }
  });
});

describe.each(testDatabaseKinds())("structured access log (%s)", (kind) => {
  let deps: TTestDeps;
  let fx: TFixture;
  let http: { base: string; close(): Promise<void> };
  const lines: string[] = [];
  beforeAll(async () => {
    const log = createLogger(
      { LOG_LEVEL: "debug", LOG_FORMAT: "json" },
      { write: (s: string) => lines.push(s) },
    );
    deps = await createTestDeps(kind, {}, { log });
    fx = await seedFixture(deps);
    http = await listen(createHttpServer(deps, notFound));
  });
  afterAll(async () => {
    await http?.close();
    await deps?.cleanup();
  });

  it("writes one JSON line per request with method, path, status, duration, IP and request id, and never a secret", async () => {
    const web = fx.clients.web;
    const alice = fx.users.alice;
    lines.length = 0;
    const ok = await fetch(`${http.base}/oauth/token`, {
      method: "POST",
      headers: { "x-request-id": "lb-req-42" },
      body: new URLSearchParams(
        passwordParams(web, alice, { audience: fx.apis.orders.identifier, scope: "openid offline_access" }),
      ),
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-request-id")).toBe("lb-req-42");
    const tokens = (await ok.json()) as Record<string, string>;
    // The query string repeats the password: it must not reach the log either.
    const bad = await fetch(`${http.base}/oauth/token?password=${encodeURIComponent(alice.password)}`, {
      method: "POST",
      body: new URLSearchParams(passwordParams(web, { ...alice, password: `${alice.password}-wrong` })),
    });
    expect(bad.status).toBe(403);
    const generatedId = bad.headers.get("x-request-id");
    expect(generatedId).toMatch(/^[0-9a-f-]{36}$/);
    await fetch(`${http.base}/healthz`, { headers: { "x-request-id": "bad id with spaces" } });
    // The access line is written when the response closes, just after the client has it.
    await new Promise((r) => setTimeout(r, 50));

    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const access = records.filter((r) => r.msg === "request");
    expect(access).toHaveLength(3);
    expect(access[0]).toMatchObject({
      level: 30,
      req_id: "lb-req-42",
      method: "POST",
      path: "/oauth/token",
      status: 200,
      ip: "127.0.0.1",
    });
    expect(typeof access[0]!.duration_ms).toBe("number");
    expect(typeof access[0]!.time).toBe("string");
    expect(access[1]).toMatchObject({ req_id: generatedId, path: "/oauth/token", status: 403 });
    // Health checks are logged at debug level, with a fresh id instead of a malformed one.
    expect(access[2]).toMatchObject({ level: 20, path: "/healthz", status: 200 });
    expect(access[2]!.req_id).not.toBe("bad id with spaces");

    const everything = lines.join("");
    const secrets = [
      ...fx.secrets,
      alice.password,
      tokens.access_token,
      tokens.id_token,
      tokens.refresh_token,
    ].filter((s): s is string => typeof s === "string" && s.length > 0);
    expect(tokens.refresh_token).toBeTruthy();
    for (const s of secrets) expect(everything).not.toContain(s);
    expect(everything).not.toContain(encodeURIComponent(alice.password));
  });
});
