// Management API user search benchmark (issue 18): fills a fresh database with 100,000 users (realistic names,
// emails, metadata, login counts and sign-up dates), then times `GET /api/v2/users`'s engine — the query parser
// and the store's searchUsersByQuery — for a typical mix of queries, page 0 of 50, with and without totals. SQLite
// always; PostgreSQL too when BENCH_POSTGRES_URL or TEST_POSTGRES_URL is set (a scratch database, dropped after).
//
//   node --import tsx bench/management-users.ts [--users 100000] [--runs 30] [--db sqlite|postgres|both]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createScratchPostgres } from "../server/testing/scratch-postgres.ts";
import { applyMigrations } from "../server/store/migrate.ts";
import { newRowId, openRawSql, type TRawSql, type TSqlValue } from "../server/store/raw-sql.ts";
import { upsertConnectionByName } from "../server/store/connections.ts";
import { searchUsersByQuery } from "../server/store/user-search.ts";
import { parseUserQuery } from "../server/management/users/parse-user-query.ts";
import { percentile } from "./bench-support.ts";

const { values } = parseArgs({
  options: {
    users: { type: "string", default: "100000" },
    runs: { type: "string", default: "30" },
    db: { type: "string", default: "both" },
  },
});
const USERS = Number(values.users);
const RUNS = Number(values.runs);
const DAY = 86_400_000;
const START = Date.parse("2025-01-01T00:00:00Z");
const SPAN = 700 * DAY;

const FIRST = [
  "Olivia",
  "Liam",
  "Emma",
  "Noah",
  "Amelia",
  "Oliver",
  "Sophia",
  "Elijah",
  "Mia",
  "James",
  "Ava",
  "Lucas",
  "Isabella",
  "Mateo",
  "Charlotte",
  "Ethan",
  "Harper",
  "Leo",
  "Luna",
  "Henry",
  "Maria",
  "Yuki",
  "Chen",
  "Fatima",
  "Omar",
  "Priya",
  "Arjun",
  "Zoe",
  "Jonas",
  "Ines",
];
const LAST = [
  "Smith",
  "Johnson",
  "Garcia",
  "Miller",
  "Davis",
  "Martinez",
  "Lopez",
  "Wilson",
  "Anderson",
  "Thomas",
  "Taylor",
  "Moore",
  "Jackson",
  "Martin",
  "Lee",
  "Perez",
  "Thompson",
  "White",
  "Harris",
  "Clark",
  "Lewis",
  "Young",
  "King",
  "Wright",
  "Scott",
  "Nguyen",
  "Kowalski",
  "Schmidt",
  "Rossi",
  "Tanaka",
  "Okafor",
  "Silva",
  "Dubois",
];
const DOMAINS = ["example.com", "mail.test", "corp.example", "acme.io", "globex.net", "initech.org"];
const PLANS = ["free", "free", "free", "free", "free", "silver", "silver", "silver", "gold", "platinum"];

// A deterministic generator, so every run and both databases hold the same users.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const COLS = [
  "id",
  "userId",
  "connectionId",
  "email",
  "emailVerified",
  "username",
  "name",
  "nickname",
  "givenName",
  "familyName",
  "blocked",
  "appMetadata",
  "userMetadata",
  "loginsCount",
  "lastLogin",
  "lastIp",
  "createdAt",
  "updatedAt",
] as const;

function userRow(i: number, connectionId: string, r: () => number): TSqlValue[] {
  const first = FIRST[Math.floor(r() * FIRST.length)]!;
  const last = LAST[Math.floor(r() * LAST.length)]!;
  const created = new Date(START + Math.floor(r() * SPAN));
  const logins = Math.floor(r() ** 2 * 60);
  const lastLogin = logins > 0 ? new Date(created.getTime() + Math.floor(r() * 30 * DAY)) : null;
  return [
    newRowId(),
    `auth0|${(0x65f0c0ffee000000 + i * 7919).toString(16)}`,
    connectionId,
    `${first}.${last}${i}@${DOMAINS[i % DOMAINS.length]}`.toLowerCase(),
    r() < 0.8,
    i % 3 === 0 ? `${first.toLowerCase()}_${i}` : null,
    `${first} ${last}`,
    first.toLowerCase(),
    first,
    last,
    r() < 0.01,
    JSON.stringify({ plan: PLANS[Math.floor(r() * PLANS.length)], tenant: `t${i % 100}`, roles: ["user"] }),
    JSON.stringify({ theme: r() < 0.5 ? "dark" : "light", locale: "en-US" }),
    logins,
    lastLogin,
    lastLogin ? `10.${i % 250}.${(i >> 8) % 250}.${i % 199}` : null,
    created,
    lastLogin ?? created,
  ];
}

async function fill(db: TRawSql): Promise<{ emails: string[] }> {
  const now = new Date();
  const con = await upsertConnectionByName(
    db,
    { name: "Username-Password-Authentication" },
    { connectionId: "con_bench0000000001" },
    now,
  );
  const other = await upsertConnectionByName(
    db,
    { name: "Customers" },
    { connectionId: "con_bench0000000002" },
    now,
  );
  const r = rng(42);
  const BATCH = 500;
  const emails: string[] = [];
  const rowSql = `(${COLS.map(() => "?").join(",")})`;
  const head = `INSERT INTO "User" (${COLS.map((c) => `"${c}"`).join(",")}) VALUES `;
  await db.transaction(async (tx) => {
    for (let i = 0; i < USERS; i += BATCH) {
      const n = Math.min(BATCH, USERS - i);
      const params: TSqlValue[] = [];
      for (let k = 0; k < n; k++) {
        const row = userRow(i + k, (i + k) % 10 === 0 ? other.id : con.id, r);
        if ((i + k) % 9973 === 0) emails.push(String(row[3]));
        params.push(...row);
      }
      await tx.run(head + Array.from({ length: n }, () => rowSql).join(","), params);
    }
  });
  await db.run(db.kind === "postgres" ? `ANALYZE "User"` : `ANALYZE`);
  return { emails };
}

async function benchOne(kind: "sqlite" | "postgres"): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-users-bench-"));
  let url = `file:${join(dir, "users.db")}`;
  let drop: (() => Promise<void>) | undefined;
  if (kind === "postgres") {
    const admin = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL;
    if (!admin) throw new Error("PostgreSQL needs BENCH_POSTGRES_URL or TEST_POSTGRES_URL");
    const scratch = await createScratchPostgres(admin, "portcullis_users_bench");
    url = scratch.url;
    drop = scratch.drop;
  }
  try {
    await applyMigrations(url);
    const db = await openRawSql({ DATABASE_URL: url });
    try {
      const t0 = performance.now();
      const { emails } = await fill(db);
      const fillSeconds = (performance.now() - t0) / 1000;
      const [e1, e2, e3] = [emails[1]!, emails[2]!, emails[3]!];
      const cases: [string, string][] = [
        ["exact email", `email:"${e1}"`],
        ["email prefix wildcard", `email:olivia.ki*`],
        ['name:"…" phrase', `name:"Olivia King"`],
        ["app_metadata.plan:gold", `app_metadata.plan:gold`],
        ["logins_count:[10 TO *]", `logins_count:[10 TO *]`],
        ["created_at: first half of 2026", `created_at:[2026-01-01 TO 2026-06-30]`],
        ["bare term", `Okafor`],
        ["OR of two emails", `email:"${e2}" OR email:"${e3}"`],
        ["unfiltered list", ``],
      ];
      console.log(
        `\nUser search (GET /api/v2/users engine) — ${kind}, ${USERS.toLocaleString("en")} users (filled in ${fillSeconds.toFixed(1)} s), ${RUNS} runs each, page 0 of 50`,
      );
      console.log("query                              found    total  p50 ms  p95 ms | +totals p50  p95");
      for (const [label, text] of cases) {
        const time = async (includeTotals: boolean) => {
          const times: number[] = [];
          let found = 0;
          let total = 0;
          for (let i = 0; i < RUNS; i++) {
            const t = performance.now();
            const res = await searchUsersByQuery(db, {
              query: parseUserQuery(text),
              page: 0,
              perPage: 50,
              includeTotals,
            });
            times.push(performance.now() - t);
            found = res.users.length;
            total = res.total ?? total;
          }
          times.sort((a, b) => a - b);
          return { found, total, p50: percentile(times, 50), p95: percentile(times, 95) };
        };
        const plain = await time(false);
        const totals = await time(true);
        console.log(
          `${label.padEnd(33)} ${String(plain.found).padStart(6)} ${String(totals.total).padStart(8)} ${plain.p50.toFixed(1).padStart(7)} ${plain.p95.toFixed(1).padStart(7)} | ${totals.p50.toFixed(1).padStart(11)} ${totals.p95.toFixed(1).padStart(5)}`,
        );
      }
    } finally {
      await db.close();
    }
  } finally {
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const hasPostgres = Boolean(process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL);
  const kinds: ("sqlite" | "postgres")[] =
    values.db === "sqlite"
      ? ["sqlite"]
      : values.db === "postgres"
        ? ["postgres"]
        : hasPostgres
          ? ["sqlite", "postgres"]
          : ["sqlite"];
  for (const kind of kinds) await benchOne(kind);
  if (!kinds.includes("postgres"))
    console.log("\nPostgreSQL SKIPPED (set BENCH_POSTGRES_URL or TEST_POSTGRES_URL).");
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
