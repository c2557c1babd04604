// Password-grant throughput benchmark. Starts a real Portcullis server (the same `portcullis serve` as npm start)
// on a fresh database, drives valid password grants at a fixed concurrency for a fixed time, then refresh-token
// grants, then measures bare Argon2id verify throughput at the same parameters and concurrency in this process.
// Prints logins/s, p50/p99 latency, the hash-only ceiling and their ratio, the CPU each login costs the server
// and the load generator, and how fast a blocked IP is refused over HTTP. Five typical rules are enabled and
// attack protection is on (brute force per identifier+IP, suspicious-IP throttling), as in production.
//
//   node --import tsx bench/token-endpoint.ts [--seconds 20] [--concurrency 8] [--db sqlite|postgres]
//
// PostgreSQL: set BENCH_POSTGRES_URL (or TEST_POSTGRES_URL) to an admin URL; a database is created and dropped.
// BENCH_SERVER_STDOUT=1 passes the server's stdout through (e.g. with PORTCULLIS_NODE_ARGS=--trace-gc).
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, cpus } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { createScratchPostgres } from "../server/testing/scratch-postgres.ts";
import { LoadConnection } from "./http-load.ts";
import { hash as argon2Hash, verify as argon2Verify } from "@node-rs/argon2";
import { TYPICAL } from "./typical-rules.ts";
import { childPids, percentile, readProc, serverPid, waitReady } from "./bench-support.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "20" },
    concurrency: { type: "string", default: "8" },
    db: { type: "string", default: "sqlite" },
    port: { type: "string", default: "3290" },
    // HS256 shows what the server costs besides RSA: two RS256 signatures are ~1.2–1.7 ms of CPU per login.
    "token-alg": { type: "string", default: "RS256" },
  },
});
const TOKEN_ALG = values["token-alg"] === "HS256" ? "HS256" : "RS256";
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);
const PORT = Number(values.port);
const BASE = `http://127.0.0.1:${PORT}`;
const ROOT = process.cwd();
const PARAMS = {
  memoryCost: Number(process.env.ARGON2_MEMORY_KIB ?? 12288),
  timeCost: Number(process.env.ARGON2_ITERATIONS ?? 3),
  parallelism: Number(process.env.ARGON2_PARALLELISM ?? 1),
};
const PASSWORD = "Bench-Passw0rd!";
const USERS = 16;
const SECRET = randomBytes(24).toString("hex");

// One keep-alive connection per worker, through a client that costs the shared CPU as little as possible.
const connections = new Map<number, LoadConnection>();
async function post(
  path: string,
  form: URLSearchParams,
  extraHeaders: Record<string, string> = {},
  worker = 0,
): Promise<{ status: number; body: Record<string, unknown> }> {
  let c = connections.get(worker);
  if (!c) connections.set(worker, (c = new LoadConnection("127.0.0.1", PORT)));
  const headers = Object.entries(extraHeaders)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  const r = await c.post(path, form.toString(), headers);
  return { status: r.status, body: JSON.parse(r.body) as Record<string, unknown> };
}

/** Run `worker` from CONCURRENCY loops for SECONDS; returns per-call latencies (ms) and failures. */
async function drive(
  worker: (i: number) => Promise<boolean>,
): Promise<{ lat: number[]; failures: number; elapsed: number }> {
  const lat: number[] = [];
  let failures = 0;
  const start = performance.now();
  const end = start + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, i) => {
      while (performance.now() < end) {
        const t = performance.now();
        const ok = await worker(i);
        lat.push(performance.now() - t);
        if (!ok) failures++;
      }
    }),
  );
  return { lat: lat.sort((a, b) => a - b), failures, elapsed: (performance.now() - start) / 1000 };
}

/** utime + stime (clock ticks) from a /proc `stat` line: the 12th and 13th fields after the command name. */
function statTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
}
/** CPU time (ms, user + system) used so far by `pid` and its descendants, from /proc. */
function treeCpuMs(pid: number): number {
  const ms = (statTicks(readProc(`/proc/${pid}/stat`)) * 1000) / CLOCK_TICKS;
  return ms + childPids(pid).reduce((a, c) => a + treeCpuMs(c), 0);
}
/** CPU time (ms) of the server's main thread alone: the work besides hashing, which runs on pool threads. */
function mainThreadCpuMs(wrapperPid: number): number {
  const pid = serverPid(wrapperPid);
  return (statTicks(readProc(`/proc/${pid}/task/${pid}/stat`)) * 1000) / CLOCK_TICKS;
}
/** CPU time (ms) of every PostgreSQL server process on this machine (the bench's database server shares it). */
function postgresCpuMs(): number {
  let ticks = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    const stat = readProc(`/proc/${pid}/stat`);
    if (stat.includes("(postgres)")) ticks += statTicks(stat);
  }
  return (ticks * 1000) / CLOCK_TICKS;
}
/** CPU ticks of every thread of the server process, keyed by thread ("main" or its id). */
function threadTicks(wrapperPid: number): Map<string, number> {
  const pid = serverPid(wrapperPid);
  const out = new Map<string, number>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    const stat = readProc(`/proc/${pid}/task/${tid}/stat`);
    if (stat) out.set(tid === String(pid) ? "main" : `thread ${tid}`, statTicks(stat));
  }
  return out;
}
/** The busiest threads between two snapshots, as CPU ms per request (`BENCH_THREADS=1` prints it). */
function threadBreakdown(before: Map<string, number>, after: Map<string, number>, n: number): string {
  return [...after]
    .map(([k, v]) => [k, ((v - (before.get(k) ?? 0)) * 1000) / CLOCK_TICKS / n] as const)
    .filter(([, ms]) => ms > 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([k, ms]) => `${k} ${ms.toFixed(2)}`)
    .join(", ");
}
const CLOCK_TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;
const selfCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Peak RSS (VmHWM) of the server: the largest among `pid` and its descendants (the wrapper spawns the server). */
function peakRssMb(pid: number): number {
  const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(readProc(`/proc/${pid}/status`))?.[1] ?? 0) / 1024;
  return Math.max(hwm, ...childPids(pid).map(peakRssMb));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-bench-"));
  let databaseUrl = `file:${join(dir, "bench.db")}`;
  let dropDb: (() => Promise<void>) | undefined;
  if (values.db === "postgres") {
    const admin = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL;
    if (!admin) throw new Error("--db postgres needs BENCH_POSTGRES_URL or TEST_POSTGRES_URL");
    const scratch = await createScratchPostgres(admin, "portcullis_bench");
    databaseUrl = scratch.url;
    dropDb = scratch.drop;
  }
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    PORT: String(PORT),
    PUBLIC_URL: BASE,
    PORTCULLIS_MASTER_KEY: randomBytes(32).toString("base64"),
    PORTCULLIS_SEED_DEMO: "false",
    ARGON2_MEMORY_KIB: String(PARAMS.memoryCost),
    ARGON2_ITERATIONS: String(PARAMS.timeCost),
    ARGON2_PARALLELISM: String(PARAMS.parallelism),
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
    grant_types: [password, refresh_token]
    client_id: bench-app
    client_secret: ${SECRET}
    # The attack phase names its end-user IP in auth0-forwarded-for, as a server-side caller would.
    is_token_endpoint_ip_header_trusted: true
    jwt_configuration: { alg: ${TOKEN_ALG} }
databases:
  - name: Bench-Users
    strategy: auth0
    enabled_clients: [Bench App]
resourceServers:
  - name: Bench API
    identifier: https://api.bench/
    scopes: [{ value: read:items }, { value: write:items }]
    signing_alg: ${TOKEN_ALG}
    allow_offline_access: true
attackProtection:
  bruteForceProtection: { enabled: true, shields: [block], mode: count_per_identifier_and_ip, max_attempts: 10 }
  suspiciousIpThrottling:
    enabled: true
    shields: [block]
    stage: { pre-login: { max_attempts: 100, rate: 864000 } }
rules:
${TYPICAL.map((_, i) => `  - { name: typical-${i + 1}, script: ./rules/typical-${i + 1}.js, enabled: true, order: ${i + 1} }`).join("\n")}
`,
  );
  mkdirSync(join(dir, "rules"));
  TYPICAL.forEach((script, i) => writeFileSync(join(dir, "rules", `typical-${i + 1}.js`), script));
  const hashValue = await argon2Hash(PASSWORD, { ...PARAMS, algorithm: 2 });
  writeFileSync(
    join(dir, "users.json"),
    JSON.stringify(
      Array.from({ length: USERS }, (_, i) => ({
        email: `user${i}@example.com`,
        email_verified: true,
        app_metadata: { roles: ["reader"] },
        custom_password_hash: { algorithm: "argon2", hash: { value: hashValue } },
      })),
    ),
  );
  const cli = (args: string[]) => {
    const r = spawnSync("node", ["bin/portcullis.mjs", ...args], { cwd: ROOT, env, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`portcullis ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  };
  cli(["import", join(dir, "tenant.yaml")]);
  cli(["users", "import", "--connection", "Bench-Users", join(dir, "users.json")]);

  const server = spawn("node", ["bin/portcullis.mjs", "serve"], {
    cwd: ROOT,
    env,
    stdio: ["ignore", process.env.BENCH_SERVER_STDOUT ? "inherit" : "ignore", "inherit"],
  });
  try {
    await waitReady(server, BASE);
    const form = (i: number) =>
      new URLSearchParams({
        grant_type: "password",
        client_id: "bench-app",
        client_secret: SECRET,
        username: `user${i % USERS}@example.com`,
        password: PASSWORD,
        scope: "openid profile email offline_access",
      });
    const login = async (i: number) => {
      const r = await post("/oauth/token", form(i), {}, i);
      return r.status === 200 && typeof r.body.access_token === "string";
    };
    // Warm-up: JIT, connection pools, key cache.
    for (let i = 0; i < 16; i++) await login(i);

    const snapshot = () => ({
      server: treeCpuMs(server.pid!),
      main: mainThreadCpuMs(server.pid!),
      self: selfCpuMs(),
      db: values.db === "postgres" ? postgresCpuMs() : 0,
    });
    let cpu = snapshot();
    const cpuSince = (n: number) => {
      const now = snapshot();
      const per = {
        server: (now.server - cpu.server) / n,
        main: (now.main - cpu.main) / n,
        self: (now.self - cpu.self) / n,
        db: (now.db - cpu.db) / n,
      };
      cpu = now;
      return per;
    };
    const threadsBefore = threadTicks(server.pid!);
    const logins = await drive(login);
    const threadsAfter = threadTicks(server.pid!);
    const loginRate = (logins.lat.length - logins.failures) / logins.elapsed;
    const loginCpu = cpuSince(logins.lat.length);

    // Refresh grants: each worker follows its own rotation chain.
    const chains: string[] = [];
    for (let i = 0; i < CONCURRENCY; i++) {
      const r = await post("/oauth/token", form(i));
      chains.push(String(r.body.refresh_token));
    }
    const refreshes = await drive(async (i) => {
      const r = await post(
        "/oauth/token",
        new URLSearchParams({
          grant_type: "refresh_token",
          client_id: "bench-app",
          client_secret: SECRET,
          refresh_token: chains[i]!,
        }),
        {},
        i,
      );
      if (r.status === 200 && typeof r.body.refresh_token === "string") chains[i] = r.body.refresh_token;
      return r.status === 200;
    });
    const refreshRate = (refreshes.lat.length - refreshes.failures) / refreshes.elapsed;
    const refreshCpu = cpuSince(refreshes.lat.length);

    // A blocked IP: spend its suspicious-IP budget (100 failed logins), then time the refusals.
    const attacker = { "auth0-forwarded-for": "203.0.113.66" };
    let guess = 0;
    const attempt = (i = 0) =>
      post(
        "/oauth/token",
        new URLSearchParams({
          grant_type: "password",
          client_id: "bench-app",
          client_secret: SECRET,
          username: `victim-${guess++}@example.com`,
          password: "guess",
        }),
        attacker,
        i,
      );
    for (let i = 0; i < 100; i++) await attempt();
    if ((await attempt()).status !== 429) throw new Error("the attacker's IP was not throttled");
    cpuSince(1);
    const refusals = await drive(async (i) => (await attempt(i)).status === 429);
    const refusalRate = (refusals.lat.length - refusals.failures) / refusals.elapsed;
    const refusalCpu = cpuSince(refusals.lat.length);
    const peakRss = peakRssMb(server.pid!);
    // The server is idle from here on; the hash ceiling gets the whole machine, as the login run had.
    cpuSince(1);
    const hashes = await drive(async () => argon2Verify(hashValue, PASSWORD));
    const hashRate = hashes.lat.length / hashes.elapsed;
    const hashCpu = cpuSince(hashes.lat.length).self;

    const fmt = (n: number) => n.toFixed(1);
    const fmt2 = (n: number) => n.toFixed(2);
    const lines = [
      `Portcullis token-endpoint benchmark — ${new Date().toISOString()}`,
      `machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, node ${process.version}; database: ${values.db}`,
      `argon2id m=${PARAMS.memoryCost} KiB t=${PARAMS.timeCost} p=${PARAMS.parallelism}; concurrency ${CONCURRENCY}; ${SECONDS} s per phase; ${TOKEN_ALG} tokens (access + ID + refresh); ${TYPICAL.length} rules enabled; brute-force protection and suspicious-IP throttling on`,
      `password grants:   ${fmt(loginRate)} logins/s  p50 ${fmt(percentile(logins.lat, 50))} ms  p99 ${fmt(percentile(logins.lat, 99))} ms  (${logins.lat.length} requests, ${logins.failures} failed)`,
      `refresh grants:    ${fmt(refreshRate)} grants/s  p50 ${fmt(percentile(refreshes.lat, 50))} ms  p99 ${fmt(percentile(refreshes.lat, 99))} ms  (${refreshes.failures} failed)`,
      `argon2id verify:   ${fmt(hashRate)} hashes/s (hash-only ceiling, same parameters and concurrency)`,
      `ratio logins/hash: ${(loginRate / hashRate).toFixed(3)}`,
      `blocked-IP refusals: ${fmt(refusalRate)}/s  p50 ${fmt(percentile(refusals.lat, 50))} ms  (${(refusalRate / loginRate).toFixed(1)}× the login rate; ${refusals.failures} not 429)`,
      `CPU per request (ms; server / its main thread / load generator): login ${fmt2(loginCpu.server)} / ${fmt2(loginCpu.main)} / ${fmt2(loginCpu.self)}, refresh ${fmt2(refreshCpu.server)} / ${fmt2(refreshCpu.main)} / ${fmt2(refreshCpu.self)}, refusal ${fmt2(refusalCpu.server)} / ${fmt2(refusalCpu.main)} / ${fmt2(refusalCpu.self)}; one argon2id verify ${fmt2(hashCpu)}`,
      ...(values.db === "postgres"
        ? [
            `PostgreSQL server CPU per request (ms): login ${fmt2(loginCpu.db)}, refresh ${fmt2(refreshCpu.db)}, refusal ${fmt2(refusalCpu.db)}`,
          ]
        : []),
      `server peak RSS:   ${fmt(peakRss)} MB`,
    ];
    if (process.env.BENCH_THREADS)
      lines.push(
        `login CPU by server thread (ms per login): ${threadBreakdown(threadsBefore, threadsAfter, logins.lat.length)}`,
      );
    console.log(lines.join("\n"));
    if (logins.failures > 0 || refreshes.failures > 0 || refusals.failures > 0) process.exitCode = 1;
  } finally {
    for (const c of connections.values()) c.close();
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
    await dropDb?.();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
