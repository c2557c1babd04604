import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { createTestDeps, type TTestDeps } from "../testing/test-deps.ts";
import { createFixtureUser, seedFixture, type TFixture } from "../testing/fixtures.ts";
import { passwordParams } from "../testing/token-calls.ts";
import { addRules } from "../testing/rules.ts";

const ADMIN_TOKEN = "multi-process-admin-token-0123456789abcdef";

/**
 * Poll `check` until it holds; returns the milliseconds it took. Changes made through one process reach the other
 * through the database: configuration and rules are cached for 1 s per process (config-cache.ts, rules-service.ts),
 * user state is read per login.
 */
async function msUntil(check: () => Promise<boolean>, limitMs = 5000): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > limitMs) throw new Error(`not in force after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - started;
}

/** Start one server process (token-server.ts) on the given database; resolves with its base URL. */
function startServer(env: Record<string, string>): Promise<{ url: string; proc: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      ["--no-node-snapshot", "--import", "tsx", "server/testing/token-server.ts"],
      {
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    proc.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolve({ url: `http://127.0.0.1:${m[1]}`, proc });
    });
    proc.on("exit", (code) => reject(new Error(`token server exited with ${code}`)));
  });
}

// Two real server processes sharing one PostgreSQL database (the scale-out deployment). Needs TEST_POSTGRES_URL.
describe.runIf(Boolean(process.env.TEST_POSTGRES_URL))(
  "two server processes on one PostgreSQL database",
  () => {
    let deps: TTestDeps;
    let fx: TFixture;
    let servers: { url: string; proc: ChildProcess }[] = [];
    const masterKey = randomBytes(32).toString("base64");

    beforeAll(async () => {
      deps = await createTestDeps("postgres", { PORTCULLIS_MASTER_KEY: masterKey });
      fx = await seedFixture(deps);
      await deps.keys.current();
      const env = {
        DATABASE_URL: deps.env.DATABASE_URL,
        PUBLIC_URL: deps.env.PUBLIC_URL,
        PORTCULLIS_MASTER_KEY: masterKey,
        PORTCULLIS_ADMIN_API_TOKEN: ADMIN_TOKEN,
        LOG_LEVEL: "warn",
      };
      servers = await Promise.all([startServer(env), startServer(env)]);
    }, 120_000);

    afterAll(async () => {
      for (const s of servers) s.proc.kill("SIGTERM");
      await Promise.all(
        servers.map((s) => new Promise((r) => (s.proc.exitCode !== null ? r(null) : s.proc.once("exit", r)))),
      );
      await deps.cleanup();
    });

    const post = async (base: string, params: Record<string, string>) => {
      const res = await fetch(`${base}/oauth/token`, { method: "POST", body: new URLSearchParams(params) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };

    it("a brute-force attack alternating between the processes is counted exactly: 10 failures, then both refuse", async () => {
      const user = fx.users.alice;
      const statuses: number[] = [];
      for (let i = 0; i < 13; i++) {
        statuses.push(
          (await post(servers[i % 2]!.url, passwordParams(fx.clients.web, { ...user, password: "wrong" })))
            .status,
        );
      }
      expect(statuses).toEqual([...Array(10).fill(403), 429, 429, 429]);
      // Even the right password is refused on either process while the block lasts.
      for (const s of servers)
        expect((await post(s.url, passwordParams(fx.clients.web, user))).status).toBe(429);
    });

    it("a refresh token rotated on one process and reused on the other revokes the family", async () => {
      const web = fx.clients.web;
      const user = fx.users.bcrypt;
      const login = await post(
        servers[0]!.url,
        passwordParams(web, user, { audience: fx.apis.orders.identifier, scope: "offline_access" }),
      );
      expect(login.status).toBe(200);
      const first = String(login.body.refresh_token);
      const refresh = (base: string, token: string) =>
        post(base, {
          grant_type: "refresh_token",
          client_id: web.clientId,
          client_secret: web.secret,
          refresh_token: token,
        });
      const rotated = await refresh(servers[1]!.url, first);
      expect(rotated.status).toBe(200);
      expect((await refresh(servers[0]!.url, first)).status).toBe(403);
      // The reuse killed the newest token too, whichever process is asked.
      expect((await refresh(servers[1]!.url, String(rotated.body.refresh_token))).status).toBe(403);
    });

    const admin = async (base: string, method: string, path: string, body: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
    };

    it("both publish the same JWKS and each verifies the other's tokens", async () => {
      const [a, b] = servers.map((s) => s.url) as [string, string];
      const jwks = await Promise.all(
        [a, b].map(async (base) => (await fetch(`${base}/.well-known/jwks.json`)).json()),
      );
      expect(jwks[0]).toEqual(jwks[1]);
      expect((jwks[0] as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
      const user = await createFixtureUser(deps, fx, { connection: "database", password: "jwks-user-pw-1" });
      for (const [issuer, verifier] of [
        [a, b],
        [b, a],
      ] as const) {
        const login = await post(
          issuer,
          passwordParams(fx.clients.web, user, { audience: fx.apis.orders.identifier, scope: "openid" }),
        );
        expect(login.status).toBe(200);
        const keys = createRemoteJWKSet(new URL(`${verifier}/.well-known/jwks.json`));
        const access = await jwtVerify(String(login.body.access_token), keys, {
          issuer: deps.env.issuer,
          audience: fx.apis.orders.identifier,
        });
        expect(access.payload.sub).toBe(user.userId);
        const id = await jwtVerify(String(login.body.id_token), keys, {
          issuer: deps.env.issuer,
          audience: fx.clients.web.clientId,
        });
        expect(id.payload.sub).toBe(user.userId);
      }
    });

    it("a rule enabled, an MFA policy changed and a user blocked through A's admin API are in force on B within 2 s", async () => {
      const [a, b] = servers.map((s) => s.url) as [string, string];
      const web = fx.clients.web;
      const ruleUser = await createFixtureUser(deps, fx, {
        connection: "database",
        password: "rule-user-pw-1",
      });
      const mfaUser = await createFixtureUser(deps, fx, {
        connection: "database",
        password: "mfa-user-pw-12",
      });
      const blockUser = await createFixtureUser(deps, fx, {
        connection: "database",
        password: "block-user-pw",
      });
      const [rule] = await addRules(deps, {
        name: "multi-process deny",
        enabled: false,
        script: `function (user, context, callback) {
          if (user.email === '${ruleUser.email}') return callback(new UnauthorizedError('denied by rule'));
          callback(null, user, context);
        }`,
      });
      const loginOnB = (user: { email: string; password: string }) => post(b, passwordParams(web, user));
      // B has everything cached from a successful login of each user before the change.
      for (const u of [ruleUser, mfaUser, blockUser]) expect((await loginOnB(u)).status).toBe(200);

      await admin(a, "PATCH", `/api/admin/rules/${rule!.id}`, { enabled: true });
      const ruleMs = await msUntil(async () => {
        const r = await loginOnB(ruleUser);
        return r.status === 401 && r.body.error_description === "denied by rule";
      });

      await admin(a, "PUT", "/api/admin/mfa", { policy: "always", otp: true, recoveryCode: true });
      // The web client has no MFA grants, so a login that now needs MFA is refused with unauthorized_client.
      const mfaMs = await msUntil(async () => (await loginOnB(mfaUser)).body.error === "unauthorized_client");
      await admin(a, "PUT", "/api/admin/mfa", { policy: "never", otp: true, recoveryCode: true });

      await admin(a, "POST", `/api/admin/users/${encodeURIComponent(blockUser.userId)}/block`, {
        blocked: true,
      });
      const blockMs = await msUntil(async () => {
        const r = await loginOnB(blockUser);
        return r.status === 401 && r.body.error === "unauthorized";
      });

      expect(ruleMs).toBeLessThan(2000);
      expect(mfaMs).toBeLessThan(2000);
      expect(blockMs).toBeLessThan(2000);
      await admin(a, "PATCH", `/api/admin/rules/${rule!.id}`, { enabled: false });
    });

    it("suspicious-IP throttling alternating between the processes is counted exactly: max_attempts failures, then both refuse", async () => {
      const [a] = servers.map((s) => s.url) as [string, string];
      const web = fx.clients.web;
      await admin(a, "PATCH", "/api/admin/attack-protection/suspicious-ip-throttling", {
        enabled: true,
        shields: ["block"],
        allowlist: [],
        stage: { "pre-login": { max_attempts: 6, rate: 864000 } },
      });
      // Both processes read the policy again within their 1 s cache.
      await new Promise((r) => setTimeout(r, 1500));
      // A server-side caller names the end user's IP (the web client trusts auth0-forwarded-for): an IP no other
      // test has used, so its bucket starts full.
      const attempt = async (base: string, user: { email: string; password: string }) => {
        const res = await fetch(`${base}/oauth/token`, {
          method: "POST",
          headers: { "auth0-forwarded-for": "203.0.113.77" },
          body: new URLSearchParams(passwordParams(web, user)),
        });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };
      const statuses: number[] = [];
      // A different identifier each time, so only the IP's counter can refuse.
      for (let i = 0; i < 9; i++)
        statuses.push(
          (await attempt(servers[i % 2]!.url, { email: `nobody-${i}@example.com`, password: "x" })).status,
        );
      expect(statuses).toEqual([...Array(6).fill(403), 429, 429, 429]);
      for (const s of servers) {
        const r = await attempt(s.url, fx.users.alice);
        expect(r.status).toBe(429);
        expect(r.body.error).toBe("too_many_attempts");
      }
      await admin(a, "PATCH", "/api/admin/attack-protection/suspicious-ip-throttling", {
        stage: { "pre-login": { max_attempts: 100, rate: 864000 } },
      });
    });
  },
);
