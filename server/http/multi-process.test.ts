import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps, type TTestDeps } from "../testing/test-deps.ts";
import { passwordParams, seedFixture, type TFixture } from "../testing/fixtures.ts";

/** Start one token-server process on the given database; resolves with its base URL. */
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
  },
);
