// Hostile rules through the admin Try API while users log in. Starts a real Portcullis server (as npm start does)
// on a fresh SQLite database with five typical rules enabled, then for a fixed time runs two loops that send
// hostile scripts to POST /api/admin/rules/try (what a rules-editor can do without saving anything) next to
// workers doing normal password logins. Prints every login's latency (max and p99), what the hostile runs
// ended as, the server's RSS growth and whether it stayed up. Targets (issue 13): logins under 1.5 s each, RSS
// growth under 300 MB, the process never exits. Exits 1 when a target is missed.
//
//   node --import tsx bench/hostile-try.ts [--seconds 30] [--logins 4]
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { hash as argon2Hash } from "@node-rs/argon2";
import { TYPICAL } from "./typical-rules.ts";
import { percentile, readProc, serverPid, waitReady } from "./bench-support.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "30" },
    logins: { type: "string", default: "4" },
    port: { type: "string", default: "3291" },
  },
});
const SECONDS = Number(values.seconds);
const LOGIN_WORKERS = Number(values.logins);
const PORT = Number(values.port);
const BASE = `http://127.0.0.1:${PORT}`;
const PASSWORD = "Bench-Passw0rd!";
const USERS = 16;
const SECRET = randomBytes(24).toString("hex");
const ADMIN_TOKEN = randomBytes(32).toString("hex");

/** Rule bodies a hostile rules editor sends to Try; each is wrapped in `function (user, context, callback) {…}`. */
const HOSTILE: Record<string, string> = {
  // The issue's crash: catch raw host callbacks through a replaced Function.prototype.apply, then flood them.
  "catch and flood host callbacks": `
    var seen = [], original = Function.prototype.apply;
    Function.prototype.apply = function (t, a) { if (seen.indexOf(this) < 0) seen.push(this); return original.call(this, t, a); };
    setTimeout(function () {}, 1);
    var big = new Array(1 << 20).join('x');
    for (var k = 0; k < 200000; k++) for (var j = 0; j < seen.length; j++) { try { seen[j](big, big); } catch (e) {} }
    callback(null, user, context);`,
  "endless loop after the callback": `
    callback(null, user, context);
    var p = Promise.resolve(); for (var i = 0; i < 50; i++) p = p.then(function () {});
    p.then(function () { for (;;) {} });`,
  "endless loop": "for (;;) {}",
  "memory bomb": "var hoard = []; for (;;) hoard.push(new Array(1e5).fill('x'));",
  "replaced then, timer flood": `
    Promise.prototype.then = function () { return this; };
    for (var i = 0; i < 1e6; i++) setTimeout(function () {}, 1);`,
  "huge console output": `
    var big = new Array(4 << 20).join('x');
    for (var i = 0; i < 200; i++) console.log(big, big);
    callback(null, user, context);`,
  "huge toJSON": `user.toJSON = function () { return new Array(8 << 20).join('x'); }; callback(null, user, context);`,
  "deep nesting": `var d = {}; for (var i = 0; i < 200000; i++) d = { d: d }; user.deep = d; callback(null, user, context);`,
};

function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readProc(`/proc/${pid}/status`))?.[1] ?? 0) / 1024;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-hostile-"));
  const env = {
    ...process.env,
    DATABASE_URL: `file:${join(dir, "bench.db")}`,
    PORT: String(PORT),
    PUBLIC_URL: BASE,
    PORTCULLIS_MASTER_KEY: randomBytes(32).toString("base64"),
    PORTCULLIS_SEED_DEMO: "false",
    PORTCULLIS_ADMIN_API_TOKEN: ADMIN_TOKEN,
  };
  writeFileSync(
    join(dir, "tenant.yaml"),
    `tenant:
  default_directory: Bench-Users
  default_audience: https://api.bench/
clients:
  - name: Bench App
    app_type: regular_web
    token_endpoint_auth_method: client_secret_post
    grant_types: [password]
    client_id: bench-app
    client_secret: ${SECRET}
databases:
  - name: Bench-Users
    strategy: auth0
    enabled_clients: [Bench App]
resourceServers:
  - name: Bench API
    identifier: https://api.bench/
rules:
${TYPICAL.map((_, i) => `  - { name: typical-${i + 1}, script: ./rules/typical-${i + 1}.js, enabled: true, order: ${i + 1} }`).join("\n")}
`,
  );
  mkdirSync(join(dir, "rules"));
  TYPICAL.forEach((script, i) => writeFileSync(join(dir, "rules", `typical-${i + 1}.js`), script));
  const hashValue = await argon2Hash(PASSWORD, {
    memoryCost: 12288,
    timeCost: 3,
    parallelism: 1,
    algorithm: 2,
  });
  writeFileSync(
    join(dir, "users.json"),
    JSON.stringify(
      Array.from({ length: USERS }, (_, i) => ({
        email: `user${i}@example.com`,
        email_verified: true,
        custom_password_hash: { algorithm: "argon2", hash: { value: hashValue } },
      })),
    ),
  );
  const cli = (args: string[]) => {
    const r = spawnSync("node", ["bin/portcullis.mjs", ...args], { env, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`portcullis ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  };
  cli(["import", join(dir, "tenant.yaml")]);
  cli(["users", "import", "--connection", "Bench-Users", join(dir, "users.json")]);

  const server = spawn("node", ["bin/portcullis.mjs", "serve"], {
    env,
    stdio: ["ignore", "ignore", "inherit"],
  });
  let exited: number | null = null;
  server.once("exit", (code) => (exited = code ?? -1));
  try {
    await waitReady(server, BASE);
    const login = async (i: number): Promise<boolean> => {
      const r = await fetch(`${BASE}/oauth/token`, {
        method: "POST",
        body: new URLSearchParams({
          grant_type: "password",
          client_id: "bench-app",
          client_secret: SECRET,
          username: `user${i % USERS}@example.com`,
          password: PASSWORD,
          scope: "openid",
        }),
      });
      const body = (await r.json()) as { access_token?: unknown };
      if (r.status === 200 && typeof body.access_token === "string") return true;
      firstFailure ??= `${r.status} ${JSON.stringify(body)}`;
      return false;
    };
    let firstFailure: string | undefined;
    const tryRule = async (body: string) => {
      const r = await fetch(`${BASE}/api/admin/rules/try`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "hostile", script: `function (user, context, callback) {${body}\n}` }),
      });
      const json = (await r.json()) as { error?: { kind?: string } | null };
      return r.status === 200 ? (json.error?.kind ?? "ok") : `HTTP ${r.status}`;
    };
    for (let i = 0; i < 8; i++) await login(i);
    const pid = serverPid(server.pid!);
    const rssBefore = rssMb(pid);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb(pid))), 100);

    const end = performance.now() + SECONDS * 1000;
    const latencies: number[] = [];
    let failedLogins = 0;
    const outcomes = new Map<string, Map<string, number>>();
    const names = Object.keys(HOSTILE);
    await Promise.all([
      ...Array.from({ length: LOGIN_WORKERS }, async (_, w) => {
        for (let i = w; performance.now() < end && exited === null; i += LOGIN_WORKERS) {
          const t = performance.now();
          const ok = await login(i).catch(() => false);
          latencies.push(performance.now() - t);
          if (!ok) failedLogins++;
        }
      }),
      ...[0, 1].map(async (w) => {
        for (let i = w; performance.now() < end && exited === null; i++) {
          const name = names[i % names.length]!;
          const kind = await tryRule(HOSTILE[name]!).catch((e: unknown) => `request failed: ${String(e)}`);
          const byKind = outcomes.get(name) ?? new Map<string, number>();
          byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
          outcomes.set(name, byKind);
        }
      }),
    ]);
    clearInterval(sampler);
    latencies.sort((a, b) => a - b);
    const max = latencies.at(-1) ?? NaN;
    const growth = rssPeak - rssBefore;
    const fmt = (n: number) => n.toFixed(1);
    console.log(
      [
        `Portcullis hostile-Try benchmark — ${new Date().toISOString()}; node ${process.version}; ${SECONDS} s; ${LOGIN_WORKERS} login workers next to 2 hostile Try loops; ${TYPICAL.length} rules enabled`,
        `logins: ${latencies.length} (${failedLogins} failed), p50 ${fmt(percentile(latencies, 50))} ms, p99 ${fmt(percentile(latencies, 99))} ms, max ${fmt(max)} ms (target < 1500 ms)`,
        `server RSS: ${fmt(rssBefore)} MB before, peak ${fmt(rssPeak)} MB, growth ${fmt(growth)} MB (target < 300 MB)`,
        `server process: ${exited === null ? "still running" : `EXITED with ${exited}`}`,
        ...(firstFailure ? [`first failed login: ${firstFailure}`] : []),
        "hostile Try runs (name: outcome × count):",
        ...[...outcomes].map(
          ([name, kinds]) => `  ${name}: ${[...kinds].map(([k, n]) => `${k} × ${n}`).join(", ")}`,
        ),
      ].join("\n"),
    );
    if (exited !== null || max >= 1500 || growth >= 300 || failedLogins > 0) process.exitCode = 1;
  } finally {
    server.kill("SIGTERM");
    if (exited === null) await new Promise((r) => server.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
