#!/usr/bin/env node
// Smoke test of `npm start` on the Node.js running this script (the Node 22 tier of scripts/test-all.mjs runs it in
// a copy of the project installed under Node 22): `portcullis serve` on a fresh SQLite database builds the app if
// needed, migrates, seeds the demo tenant and prints its credentials with a ready-to-paste curl; this script runs
// that password grant, checks the tokens, reads /metrics to prove the server process runs on this same Node, then
// stops the server with SIGTERM and expects a clean exit. Prints one line per step; exits non-zero on any failure.
import "../bin/require-node.mjs";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DATA = "data/smoke";
const START_TIMEOUT_MS = 300_000; // includes the first `next build`

/** A free loopback port, so two runs (or a developer's server) do not collide. */
function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let failed = false;
function step(ok, what, detail = "") {
  console.log(`${ok ? "✓" : "✗"} ${what}${detail ? `: ${detail}` : ""}`);
  if (!ok) failed = true;
  return ok;
}

rmSync(`${ROOT}/${DATA}`, { recursive: true, force: true });
const port = await freePort();
const metricsToken = randomBytes(24).toString("hex");
const base = `http://127.0.0.1:${port}`;
let output = "";
const server = spawn(process.execPath, ["bin/portcullis.mjs", "serve"], {
  cwd: ROOT,
  stdio: ["ignore", "pipe", "pipe"],
  env: {
    ...process.env,
    PORT: String(port),
    PUBLIC_URL: `http://localhost:${port}`,
    DATABASE_URL: `file:./${DATA}/portcullis.db`,
    PORTCULLIS_MASTER_KEY_FILE: `./${DATA}/master.key`,
    PORTCULLIS_SEED_DEMO: "true",
    METRICS_TOKEN: metricsToken,
    LOG_LEVEL: "warn",
    NEXT_TELEMETRY_DISABLED: "1",
  },
});
server.stdout.on("data", (b) => (output += b));
server.stderr.on("data", (b) => (output += b));
const exited = new Promise((ok) => server.on("exit", (code, signal) => ok({ code, signal })));

async function main() {
  const started = Date.now();
  let ready = false;
  while (Date.now() - started < START_TIMEOUT_MS && server.exitCode === null) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) {
        ready = true;
        break;
      }
    } catch {
      /* not listening yet */
    }
    await sleep(500);
  }
  if (
    !step(
      ready,
      `npm start (portcullis serve) on Node ${process.version} answers /healthz`,
      `${((Date.now() - started) / 1000).toFixed(1)} s`,
    )
  )
    return;

  // The curl the first start printed (README "Set up"): client, user and password come from there.
  const curl =
    /client_id=(\S+) -d client_secret='([^']+)'[\s\S]*?-d username=(\S+) -d password='([^']+)'[\s\S]*?-d audience=(\S+)/.exec(
      output,
    );
  if (!step(curl !== null, "first start printed the demo client's credentials and a password-grant curl"))
    return;
  const [, clientId, clientSecret, username, password, audience] = curl;
  const r = await fetch(`${base}/oauth/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "password",
      client_id: clientId,
      client_secret: clientSecret,
      username,
      password,
      audience,
      scope: "openid profile email offline_access",
    }),
  });
  const body = await r.json().catch(() => ({}));
  const isJwt = (t) => typeof t === "string" && t.split(".").length === 3;
  step(
    r.status === 200 &&
      isJwt(body.access_token) &&
      isJwt(body.id_token) &&
      typeof body.refresh_token === "string",
    "password grant returns an access token, an ID token and a refresh token",
    r.status === 200 ? "" : `HTTP ${r.status} ${JSON.stringify(body)}`,
  );

  // prom-client's default metrics name the Node.js version of the process that serves.
  const m = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
  const version = /nodejs_version_info\{version="(v[^"]+)"/.exec(m.ok ? await m.text() : "")?.[1];
  step(
    version === process.version,
    `the server process runs on ${process.version}`,
    `it reports ${version ?? "nothing"}`,
  );
}

try {
  await main();
} catch (e) {
  step(false, "smoke test", String(e?.stack ?? e));
} finally {
  if (server.exitCode === null) server.kill("SIGTERM");
  const stop = await Promise.race([exited, sleep(30_000).then(() => null)]);
  if (stop === null) server.kill("SIGKILL");
  step(
    stop?.code === 0,
    "SIGTERM stops the server cleanly",
    stop ? `exit ${stop.code ?? stop.signal}` : "still running after 30 s",
  );
  if (failed) console.log(`--- server output (last 3000 characters) ---\n${output.slice(-3000)}`);
  rmSync(`${ROOT}/${DATA}`, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
