// Management API log queries benchmark (GET /api/v2/logs, /users/{id}/logs): fills a fresh database with
// 1,000,000 audit records (30 days, realistic mix), then times the store functions the routes call: checkpoint
// pages (from/take), q searches and page/per_page pages. SQLite always; PostgreSQL too when BENCH_POSTGRES_URL or
// TEST_POSTGRES_URL is set (a scratch database, dropped afterwards).
//
//   node --import tsx bench/management-logs.ts [--rows 1000000] [--runs 30]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import pg from "pg";
import { createScratchPostgres } from "../server/testing/scratch-postgres.ts";
import { applyMigrations } from "../server/store/migrate.ts";
import { openRawSql, type TRawSql } from "../server/store/raw-sql.ts";
import { newLogId } from "../server/store/logs.ts";
import { listLogsFrom, listLogsPage, listUserLogsPage } from "../server/store/management-logs.ts";
import { parseLogQuery } from "../server/management/logs/parse-log-query.ts";
import { percentile } from "./bench-support.ts";

const { values } = parseArgs({
  options: { rows: { type: "string", default: "1000000" }, runs: { type: "string", default: "30" } },
});
const ROWS = Number(values.rows);
const RUNS = Number(values.runs);
const DAY = 86_400_000;
// Everything is older than the checkpoint settle horizon, so checkpoint pages see all of it.
const END = Date.now() - 3_600_000;
const START = END - 30 * DAY;
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

const COLS = `"id","date","type","description","clientId","clientName","connection","userId","userName","ip","details"`;

function* records(): Generator<[string, Date, ...string[]]> {
  for (let i = 0; i < ROWS; i++) {
    const at = new Date(START + Math.floor((i / ROWS) * 30 * DAY));
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
    ];
  }
}

async function seed(url: string): Promise<void> {
  if (url.startsWith("file:")) {
    const db = new Database(url.slice(5));
    db.pragma("journal_mode = WAL");
    // Multi-row statements (500 rows × 11 values) through one prepared statement, all in one transaction.
    const BATCH = 500;
    const tuple = `(${COLS.split(",")
      .map(() => "?")
      .join(",")})`;
    const many = db.prepare(`INSERT INTO "LogEvent" (${COLS}) VALUES ${Array(BATCH).fill(tuple).join(",")}`);
    const one = db.prepare(`INSERT INTO "LogEvent" (${COLS}) VALUES ${tuple}`);
    const flat = (r: [string, Date, ...string[]]) => [
      r[0],
      r[1].toISOString().replace("Z", "+00:00"),
      ...r.slice(2),
    ];
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
      for (let i = 0; i < n; i++) one.run(batch.slice(i * 11, i * 11 + 11));
    })();
    db.pragma("optimize");
    db.exec("ANALYZE");
    db.close();
    return;
  }
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
    batch.push(r);
    if (batch.length === 2000) await flush();
  }
  await flush();
  await c.query('VACUUM ANALYZE "LogEvent"');
  await c.end();
}

async function timeCases(label: string, db: TRawSql): Promise<void> {
  const middle = (
    await db.all<{ id: string }>(`SELECT "id" FROM "LogEvent" ORDER BY "id" LIMIT 1 OFFSET ?`, [
      Math.floor(ROWS / 2),
    ])
  )[0]!.id;
  const day = (offset: number) => new Date(START + offset * DAY).toISOString().slice(0, 10);
  const page =
    (q: string | null, page = 0, includeTotals = false) =>
    () =>
      listLogsPage(db, {
        query: parseLogQuery(q),
        page,
        perPage: 100,
        includeTotals,
        sort: { field: "date", direction: -1 },
      });
  const cases: [string, () => Promise<unknown[] | { logs: unknown[] }>][] = [
    ["checkpoint, from = middle, take 100", () => listLogsFrom(db, { from: middle, take: 100 })],
    ["checkpoint, first page (no from)", () => listLogsFrom(db, { take: 100 })],
    ["q=type:f* page 0", page("type:f*")],
    ['q=user_id:"auth0|user4242"', page('user_id:"auth0|user4242"')],
    [`q=date:[${day(10)} TO ${day(12)}]`, page(`date:[${day(10)} TO ${day(12)}]`)],
    ["no q, page 5", page(null, 5)],
    ["no q, page 0, include_totals", page(null, 0, true)],
    ["q=type:limit_wc, include_totals", page("type:limit_wc", 0, true)],
    ["users/{id}/logs page 0", () => listUserLogsPage(db, "auth0|user77", { page: 0, perPage: 100 })],
  ];
  console.log(`\n${label}, ${ROWS.toLocaleString("en")} records, ${RUNS} runs each`);
  console.log("query                                          rows   p50 ms   p95 ms");
  for (const [name, run] of cases) {
    for (let i = 0; i < 3; i++) await run();
    const times: number[] = [];
    let n = 0;
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      const r = await run();
      times.push(performance.now() - t);
      n = Array.isArray(r) ? r.length : r.logs.length;
    }
    times.sort((a, b) => a - b);
    console.log(
      `${name.padEnd(45)} ${String(n).padStart(5)} ${percentile(times, 50).toFixed(2).padStart(8)} ${percentile(times, 95).toFixed(2).padStart(8)}`,
    );
  }
}

async function runOn(kind: "sqlite" | "postgres"): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-mgmt-logs-bench-"));
  let url = `file:${join(dir, "logs.db")}`;
  let drop: (() => Promise<void>) | undefined;
  try {
    if (kind === "postgres") {
      const admin = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL;
      const scratch = await createScratchPostgres(admin!, "portcullis_mgmt_logs");
      url = scratch.url;
      drop = scratch.drop;
    }
    await applyMigrations(url);
    const t = performance.now();
    await seed(url);
    const seconds = (performance.now() - t) / 1000;
    const db = await openRawSql({ DATABASE_URL: url });
    try {
      await timeCases(`${kind} (seeded in ${seconds.toFixed(1)} s)`, db);
    } finally {
      await db.close();
    }
  } finally {
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  await runOn("sqlite");
  if (process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL) await runOn("postgres");
  else console.log("\nPostgreSQL skipped: set BENCH_POSTGRES_URL or TEST_POSTGRES_URL.");
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
