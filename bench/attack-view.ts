// Attack view benchmark (issue 19): fills a fresh database with 1,000,000 audit records of an attack over 14 days
// (a botnet of IPv4 addresses stuffing credentials, one IPv6 /64 rotating its address on every attempt, a few
// targeted identifiers, breached-password hits, blocks and throttles, background successes), plus standing
// brute-force blocks and suspicious-IP throttles, then times the whole attack view (getAttackView, what the page
// and GET /api/admin/attack-view call) for each range. SQLite always; PostgreSQL too when BENCH_POSTGRES_URL or
// TEST_POSTGRES_URL is set (a scratch database, dropped afterwards).
//
//   node --import tsx bench/attack-view.ts [--rows 1000000] [--runs 30]
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import pg from "pg";
import { createScratchPostgres } from "../server/testing/scratch-postgres.ts";
import { parseEnv } from "../server/platform/env.ts";
import { createDeps } from "../server/config/deps.ts";
import { applyMigrations } from "../server/store/migrate.ts";
import { newLogId } from "../server/store/logs.ts";
import { getAttackView } from "../server/admin/attack-view/get-attack-view.ts";
import { ATTACK_VIEW_RANGES, type TAttackViewRange } from "../server/admin/attack-view/attack-view-range.ts";
import { CLI_ACTOR } from "../server/admin/audit.ts";
import { percentile } from "./bench-support.ts";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    runs: { type: "string", default: "30" },
    // Keep the seeded SQLite file here (for looking at query plans afterwards); seeds only when it is missing.
    keep: { type: "string" },
    "sqlite-only": { type: "boolean", default: false },
  },
});
const ROWS = Number(values.rows);
const RUNS = Number(values.runs);
const DAY = 86_400_000;
const END = Date.now() - 1000;
const START = END - 14 * DAY;

/** A deterministic pseudo-random generator, so every run seeds the same attack. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const TARGETS = [
  "ceo@example.com",
  "admin@example.com",
  "finance@example.com",
  "it-help@example.com",
  "cfo@example.com",
];
const ROTATING_NET = "2001:db8:bad:1";
const hex = (n: number) => Math.floor(n).toString(16);

type TRow = [string, Date, string, string, string, string, string, string | null, string, string, string];

/** The attack: share of records per kind, in order (the rest are background successes). */
function* records(): Generator<TRow> {
  const r = rng(19);
  for (let i = 0; i < ROWS; i++) {
    // Waves: the attack comes in bursts, several an hour apart, over the whole 14 days.
    const at = new Date(START + Math.floor(((i + r()) / ROWS) * 14 * DAY));
    const x = r();
    const client = `client${i % 3}`;
    const connection = ["Username-Password-Authentication", "Employees", "Customers"][i % 3]!;
    const row = (type: string, user: string, userId: string | null, ip: string, description = ""): TRow => [
      newLogId(at),
      at,
      type,
      description,
      client,
      `App ${i % 3}`,
      connection,
      userId,
      user,
      ip,
      "{}",
    ];
    if (x < 0.25) {
      const u = Math.floor(r() * 5000);
      // Real users, some on IPv6 home networks.
      const ip =
        u % 5 === 0
          ? `2a02:1810:${hex(u)}:${hex(u % 7)}::${hex(r() * 65535)}`
          : `10.${u % 250}.${(u >> 3) % 250}.${u % 200}`;
      yield row(r() < 0.8 ? "sepft" : "s", `user${u}@example.com`, `auth0|user${u}`, ip);
    } else if (x < 0.28) {
      const u = Math.floor(r() * 5000);
      yield row(
        "fp",
        `user${u}@example.com`,
        `auth0|user${u}`,
        `10.${u % 250}.${(u >> 3) % 250}.${u % 200}`,
        "Wrong email or password.",
      );
    } else if (x < 0.66) {
      // Credential stuffing: 3,000 botnet addresses, 200,000 identifiers, most of them unknown here.
      const bot = Math.floor(r() * 3000);
      const victim = Math.floor(r() * 200_000);
      const isKnown = victim < 5000;
      yield row(
        isKnown ? "fp" : "fu",
        isKnown ? `user${victim}@example.com` : `leaked${victim}@mail.example`,
        isKnown ? `auth0|user${victim}` : null,
        `198.18.${bot % 250}.${Math.floor(bot / 250) + 1}`,
        "Wrong email or password.",
      );
    } else if (x < 0.81) {
      // One host rotating through its /64: a new address on every attempt.
      const target = TARGETS[Math.floor(r() * TARGETS.length)]!;
      yield row(
        "fp",
        target,
        null,
        `${ROTATING_NET}:${hex(r() * 65535)}:${hex(r() * 65535)}:${hex(r() * 65535)}:${hex(r() * 65535)}`,
        "Wrong email or password.",
      );
    } else if (x < 0.9) {
      // Targeted identifiers from 50 addresses.
      const target = TARGETS[Math.floor(r() * TARGETS.length)]!;
      yield row("fp", target, null, `203.0.113.${Math.floor(r() * 50) + 1}`, "Wrong email or password.");
    } else if (x < 0.92) {
      yield row("fepft", TARGETS[i % TARGETS.length]!, null, `203.0.113.${(i % 50) + 1}`, "Invalid request");
    } else if (x < 0.955) {
      yield row(
        "limit_wc",
        TARGETS[i % TARGETS.length]!,
        null,
        `203.0.113.${(i % 50) + 1}`,
        "Blocked account",
      );
    } else if (x < 0.98) {
      const bot = Math.floor(r() * 3000);
      yield row(
        "limit_mu",
        `leaked${i % 200_000}@mail.example`,
        null,
        `198.18.${bot % 250}.${Math.floor(bot / 250) + 1}`,
        "Suspicious IP",
      );
    } else if (x < 0.9805) {
      const type = ["pwd_leak", "signup_pwd_leak", "reset_pwd_leak"][i % 3]!;
      const u = Math.floor(r() * 5000);
      yield row(
        type,
        `user${u}@example.com`,
        `auth0|user${u}`,
        `10.${u % 250}.${(u >> 3) % 250}.${u % 200}`,
        "Breached password",
      );
    } else {
      const u = Math.floor(r() * 5000);
      yield row(
        "sertft",
        `user${u}@example.com`,
        `auth0|user${u}`,
        `10.${u % 250}.${(u >> 3) % 250}.${u % 200}`,
      );
    }
  }
}

const COLS = `"id","date","type","description","clientId","clientName","connection","userId","userName","ip","details"`;
const WIDTH = 11;

async function seedLogs(url: string): Promise<void> {
  if (url.startsWith("file:")) {
    const db = new Database(url.slice(5));
    db.pragma("journal_mode = WAL");
    const BATCH = 500;
    const tuple = `(${Array(WIDTH).fill("?").join(",")})`;
    const many = db.prepare(`INSERT INTO "LogEvent" (${COLS}) VALUES ${Array(BATCH).fill(tuple).join(",")}`);
    const one = db.prepare(`INSERT INTO "LogEvent" (${COLS}) VALUES ${tuple}`);
    const flat = (r: TRow) => [r[0], r[1].toISOString().replace("Z", "+00:00"), ...r.slice(2)];
    db.transaction(() => {
      let batch: unknown[] = [];
      let n = 0;
      for (const r of records()) {
        batch.push(...flat(r));
        if (++n === BATCH) {
          many.run(batch);
          batch = [];
          n = 0;
        }
      }
      for (let i = 0; i < n; i++) one.run(batch.slice(i * WIDTH, i * WIDTH + WIDTH));
    })();
    db.pragma("optimize");
    db.exec("ANALYZE");
    db.close();
    return;
  }
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  let batch: TRow[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const params: unknown[] = [];
    const tuples = batch.map(
      (r) =>
        `(${r.map((v) => (params.push(v instanceof Date ? v.toISOString() : v), `$${params.length}`)).join(",")})`,
    );
    await c.query(`INSERT INTO "LogEvent" (${COLS}) VALUES ${tuples.join(",")}`, params);
    batch = [];
  };
  for (const r of records()) {
    batch.push(r);
    if (batch.length === 2000) await flush();
  }
  await flush();
  // What autovacuum does on a live server: without it the index-only scans would visit the table.
  await c.query('VACUUM ANALYZE "LogEvent"');
  await c.end();
}

async function runOn(kind: "sqlite" | "postgres"): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-attack-view-bench-"));
  const kept = kind === "sqlite" ? values.keep : undefined;
  let url = `file:${kept ?? join(dir, "attack.db")}`;
  let drop: (() => Promise<void>) | undefined;
  try {
    if (kind === "postgres") {
      const admin = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL;
      const scratch = await createScratchPostgres(admin!, "portcullis_attack_view");
      url = scratch.url;
      drop = scratch.drop;
    }
    const isSeeded = kept !== undefined && existsSync(kept);
    await applyMigrations(url);
    const t = performance.now();
    if (!isSeeded) await seedLogs(url);
    const seconds = (performance.now() - t) / 1000;
    const deps = await createDeps(parseEnv({ DATABASE_URL: url }), { masterKey: randomBytes(32) });
    try {
      if (!isSeeded) await seedBlocks(deps);
      console.log(
        `\n${kind}: ${ROWS.toLocaleString("en")} records over 14 days (seeded in ${seconds.toFixed(1)} s), ${RUNS} runs per range`,
      );
      console.log("range   failed   blocked  throttled  breached  sources  first ms  p50 ms   p95 ms");
      for (const range of Object.keys(ATTACK_VIEW_RANGES) as TAttackViewRange[]) {
        // The first read of a 14-day view also reads its 13 closed days, which the process then keeps.
        const cold = performance.now();
        await getAttackView(deps, CLI_ACTOR, range);
        const first = performance.now() - cold;
        for (let i = 0; i < 2; i++) await getAttackView(deps, CLI_ACTOR, range);
        const times: number[] = [];
        let view = await getAttackView(deps, CLI_ACTOR, range);
        for (let i = 0; i < RUNS; i++) {
          const s = performance.now();
          view = await getAttackView(deps, CLI_ACTOR, range);
          times.push(performance.now() - s);
        }
        times.sort((a, b) => a - b);
        const { failed, blocked, throttled, breached } = view.totals;
        console.log(
          `${range.padEnd(6)} ${String(failed).padStart(7)} ${String(blocked).padStart(9)} ${String(throttled).padStart(10)} ${String(breached).padStart(9)} ${String(view.top_sources.length).padStart(8)} ${first.toFixed(0).padStart(9)} ${percentile(times, 50).toFixed(1).padStart(7)} ${percentile(times, 95).toFixed(1).padStart(8)}`,
        );
        if (range === "14d")
          console.log(
            `  top source ${view.top_sources[0]?.source} (${view.top_sources[0]?.addresses} addresses, throttled: ${view.top_sources[0]?.throttled}); top identifier ${view.top_identifiers[0]?.identifier} (blocked: ${view.top_identifiers[0]?.blocked})`,
          );
      }
    } finally {
      await deps.close();
    }
  } finally {
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Standing blocks and throttles: the targeted identifiers from their 50 addresses and the /64, 200 botnet IPs. */
async function seedBlocks(deps: Awaited<ReturnType<typeof createDeps>>): Promise<void> {
  const { bruteForce, suspiciousIp } = await deps.config.attackProtection();
  const connectionId = "con_bench";
  const now = new Date(END);
  const fail = async (identifier: string, ip: string) =>
    deps.db.run(
      `INSERT INTO "LoginFailure" ("key","connectionId","identifier","ip","count","firstFailureAt","lastFailureAt","blockedAt") VALUES (?,?,?,?,?,?,?,?)`,
      [
        `${connectionId}|${identifier}|${ip}`,
        connectionId,
        identifier,
        ip,
        bruteForce.max_attempts,
        new Date(START),
        now,
        new Date(END - DAY),
      ],
    );
  for (const target of TARGETS) {
    for (let i = 1; i <= 50; i++) await fail(target, `203.0.113.${i}`);
    await fail(target, `${ROTATING_NET}::/64`);
  }
  for (let i = 0; i < 500; i++)
    await fail(`leaked${i}@mail.example`, `198.18.${i % 250}.${Math.floor(i / 250) + 1}`);
  const { rate, max_attempts } = suspiciousIp.stage["pre-login"];
  const tat = END + (max_attempts + 10) * rate;
  for (let i = 0; i < 200; i++)
    await deps.db.run(
      `INSERT INTO "IpThrottle" ("ip","tat","lastFailureAt","blockedAt") VALUES (?, CAST(? AS BIGINT), ?, ?)`,
      [`198.18.${i % 250}.${Math.floor(i / 250) + 1}`, tat, now, now],
    );
  await deps.db.run(
    `INSERT INTO "IpThrottle" ("ip","tat","lastFailureAt","blockedAt") VALUES (?, CAST(? AS BIGINT), ?, ?)`,
    [`${ROTATING_NET}::/64`, tat, now, now],
  );
}

async function main() {
  await runOn("sqlite");
  if (values["sqlite-only"]) return;
  if (process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL) await runOn("postgres");
  else console.log("\nPostgreSQL skipped: set BENCH_POSTGRES_URL or TEST_POSTGRES_URL.");
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
