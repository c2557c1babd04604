import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { request, Agent } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps, type TTestDeps } from "../testing/test-deps.ts";
import { seedFixture, type TFixture } from "../testing/fixtures.ts";
import { passwordParams } from "../testing/token-calls.ts";

type TServer = { port: number; proc: ChildProcess; lines: string[]; exit: Promise<number | null> };

/** Start server/testing/token-server.ts (the real composition root, HTTP server and shutdown handling). */
function startServer(env: Record<string, string>): Promise<TServer> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      ["--no-node-snapshot", "--import", "tsx", "server/testing/token-server.ts"],
      { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] },
    );
    const lines: string[] = [];
    const exit = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
    let buffered = "";
    proc.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split("\n");
      buffered = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        const m = /^listening (\d+)$/.exec(line);
        if (m) resolve({ port: Number(m[1]), proc, lines, exit });
      }
    });
    void exit.then((code) => reject(new Error(`token server exited with ${code}`)));
  });
}

async function waitFor<T>(what: string, fn: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function isRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "ECONNREFUSED"));
  });
}

describe("graceful shutdown of a server process", () => {
  let deps: TTestDeps;
  let fx: TFixture;
  const masterKey = randomBytes(32).toString("base64");

  beforeAll(async () => {
    deps = await createTestDeps("sqlite", { PORTCULLIS_MASTER_KEY: masterKey });
    fx = await seedFixture(deps);
    await deps.keys.current();
  });
  afterAll(async () => {
    await deps?.cleanup();
  });

  it("on SIGTERM finishes the login in flight with 200, refuses new connections, exits 0 and frees the port", async () => {
    const server = await startServer({
      DATABASE_URL: deps.env.DATABASE_URL,
      PUBLIC_URL: deps.env.PUBLIC_URL,
      PORTCULLIS_MASTER_KEY: masterKey,
      LOG_LEVEL: "info",
    });
    try {
      const body = new URLSearchParams(passwordParams(fx.clients.web, fx.users.alice)).toString();
      const half = Math.floor(body.length / 2);
      // A keep-alive client, so the test also shows the server does not wait for idle keep-alive connections.
      const agent = new Agent({ keepAlive: true });
      const req = request({
        host: "127.0.0.1",
        port: server.port,
        method: "POST",
        path: "/oauth/token",
        agent,
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      const response = new Promise<{ status: number; connection?: string; json: Record<string, unknown> }>(
        (resolve, reject) => {
          req.once("response", (res) => {
            let text = "";
            res.on("data", (c: Buffer) => (text += c.toString()));
            res.on("end", () =>
              resolve({
                status: res.statusCode ?? 0,
                connection: res.headers.connection,
                json: JSON.parse(text) as Record<string, unknown>,
              }),
            );
          });
          req.once("error", reject);
        },
      );
      // Half the body now: the request is in flight (headers read, body pending) when the signal arrives.
      req.write(body.slice(0, half));
      await new Promise((r) => setTimeout(r, 300));
      server.proc.kill("SIGTERM");
      const shutting = await waitFor("the shutdown log line", () =>
        server.lines
          .map((l) => (l.startsWith("{") ? (JSON.parse(l) as Record<string, unknown>) : null))
          .find((r) => r?.msg === "shutting down: finishing in-flight requests"),
      );
      expect(shutting).toMatchObject({ signal: "SIGTERM", in_flight: 1 });
      // The listener is closed at once: new connections are refused while the login is still running.
      expect(await isRefused(server.port)).toBe(true);

      req.end(body.slice(half));
      const res = await response;
      expect(res.status).toBe(200);
      expect(typeof res.json.access_token).toBe("string");
      expect(res.connection).toBe("close");

      expect(await server.exit).toBe(0);
      expect(await isRefused(server.port)).toBe(true);
      const records = server.lines
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as { msg: string });
      expect(records.map((r) => r.msg)).toEqual(
        expect.arrayContaining(["shutting down: finishing in-flight requests", "request", "stopped"]),
      );
      agent.destroy();
    } finally {
      if (server.proc.exitCode === null) server.proc.kill("SIGKILL");
    }
  }, 60_000);
});
