// Logs screen query benchmark: fills a fresh database with 1,000,000 audit records (30 days, realistic mix of
// event types, users, IPs, clients and connections), then times the Logs page's server-side query
// (server/admin/views.ts getLogsPage, the function the page calls) for typical filters.
//
//   node --import tsx bench/logs.ts [--rows 1000000] [--db sqlite|postgres]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { createScratchPostgres } from "../server/testing/scratch-postgres.ts";
import Database from "better-sqlite3";
import pg from "pg";
import { parseEnv } from "../server/platform/env.ts";
import { createDeps } from "../server/config/deps.ts";
import { applyMigrations } from "../server/store/migrate.ts";
import { newLogId } from "../server/store/logs.ts";
import { getLogsPage } from "../server/admin/views.ts";
import { CLI_ACTOR } from "../server/admin/audit.ts";

const { values } = parseArgs({
  options: { rows: { type: "string", default: "1000000" }, db: { type: "string", default: "sqlite" } },
});
const ROWS = Number(values.rows);
const DAY = 86_400_000;
const END = Date.parse("2026-11-25T00:00:00Z");
const TYPES: [string, number][] = [
  ["sepft", 0.6],
  ["fp", 0.25],
  ["fu", 0.1],
  ["sertft", 0.045],
  ["limit_wc", 0.005],
];

function pick(r: number): string {
  let acc = 0;
  for (const [t, p] of TYPES) if ((acc += p) >= r) return t;
  return "sepft";
}

function* records() {
  for (let i = 0; i < ROWS; i++) {
    const at = new Date(END - 30 * DAY + Math.floor((i / ROWS) * 30 * DAY));
    const user = i % 10_000;
    const type = pick(Math.random());
    yield [
      newLogId(at),
      at,
      type,
      type === "fp" || type === "fu" ? "Wrong email or password." : "",
      `client${i % 3}`,
      `App ${i % 3}`,
      ["Username-Password-Authentication", "Employees", "Customers"][i % 3]!,
      `auth0|user${user}`,
      `user${user}@example.com`,
      `10.${(i >> 16) & 255}.${(i >> 8) & 31}.${i % 160}`,
      "{}",
    ] as const;
  }
}

const COLS = `"id","date","type","description","clientId","clientName","connection","userId","userName","ip","details"`;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-logs-bench-"));
  let url = `file:${join(dir, "logs.db")}`;
  let drop: (() => Promise<void>) | undefined;
  if (values.db === "postgres") {
    const admin = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL;
    if (!admin) throw new Error("--db postgres needs BENCH_POSTGRES_URL or TEST_POSTGRES_URL");
    const scratch = await createScratchPostgres(admin, "portcullis_logs");
    url = scratch.url;
    drop = scratch.drop;
  }
  try {
    await applyMigrations(url);
    const fillStart = performance.now();
    if (url.startsWith("file:")) {
      const db = new Database(url.slice(5));
      db.pragma("journal_mode = WAL");
      const ins = db.prepare(`INSERT INTO "LogEvent" (${COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)`);
      db.transaction(() => {
        for (const r of records()) ins.run(r[0], r[1].toISOString().replace("Z", "+00:00"), ...r.slice(2));
      })();
      db.close();
    } else {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      let batch: unknown[][] = [];
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
        batch.push([...r]);
        if (batch.length === 2000) await flush();
      }
      await flush();
      await c.query('ANALYZE "LogEvent"');
      await c.end();
    }
    const fillSeconds = (performance.now() - fillStart) / 1000;

    const deps = await createDeps(parseEnv({ DATABASE_URL: url }), { masterKey: randomBytes(32) });
    const deep = (await getLogsPage(deps, CLI_ACTOR, { type: "fp" })).rows;
    const cases: [string, Record<string, string>][] = [
      ["newest, no filter", {}],
      ["type = fp", { type: "fp" }],
      ["type = limit_wc (rare)", { type: "limit_wc" }],
      ["user (email)", { user: "user4242@example.com" }],
      ["user (id)", { user: "auth0|user77" }],
      ["ip", { ip: "10.3.7.42" }],
      ["client", { client: "client1" }],
      [
        "connection + 3-day range",
        { connection: "Employees", from: "2026-11-10T00:00:00Z", to: "2026-11-13T00:00:00Z" },
      ],
      ["type = fp, next page", { type: "fp", before: deep[deep.length - 1]?.log_id ?? "" }],
    ];
    console.log(
      `Logs page benchmark — ${values.db}, ${ROWS.toLocaleString("en")} rows (filled in ${fillSeconds.toFixed(1)} s)`,
    );
    console.log("query                               rows   p50 ms   p99 ms");
    for (const [label, q] of cases) {
      const times: number[] = [];
      let n = 0;
      for (let i = 0; i < 30; i++) {
        const t = performance.now();
        n = (await getLogsPage(deps, CLI_ACTOR, q)).rows.length;
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      const p = (x: number) => times[Math.min(times.length - 1, Math.floor(x * times.length))]!.toFixed(1);
      console.log(
        `${label.padEnd(34)} ${String(n).padStart(5)} ${p(0.5).padStart(8)} ${p(0.99).padStart(8)}`,
      );
    }
    await deps.close();
  } finally {
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
