// Fails when the committed migrations do not produce the schema in prisma/*/schema.prisma: it applies the
// migrations to an empty database and compares the result, column by column and index by index, with a database
// built straight from the schema (`prisma migrate diff --from-empty`). PostgreSQL is checked when TEST_POSTGRES_URL
// is set. Run: node --import tsx scripts/check-migrations.ts
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import Database from "better-sqlite3";
import pg from "pg";
import { applyMigrations } from "../server/store/migrate.ts";

const root = process.cwd();

function schemaSql(kind: "sqlite" | "postgres"): string {
  return execFileSync(
    "npx",
    [
      "prisma",
      "migrate",
      "diff",
      "--from-empty",
      "--to-schema-datamodel",
      `prisma/${kind}/schema.prisma`,
      "--script",
    ],
    {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, DB_PROVIDER: kind === "postgres" ? "postgresql" : "sqlite" },
      stdio: ["ignore", "pipe", "ignore"],
    },
  );
}

function describeSqlite(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    const tables = (
      db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name <> '_portcullis_migrations' ORDER BY name",
        )
        .all() as { name: string }[]
    ).map((t) => t.name);
    const out: string[] = [];
    for (const t of tables) {
      for (const c of db.pragma(`table_info("${t}")`) as Record<string, unknown>[])
        out.push(
          `${t}.${String(c.name)} ${String(c.type)} nn=${String(c.notnull)} d=${String(c.dflt_value)} pk=${String(c.pk)}`,
        );
      for (const i of db.pragma(`index_list("${t}")`) as { name: string; unique: number }[]) {
        const cols = (db.pragma(`index_info("${i.name}")`) as { name: string }[])
          .map((c) => c.name)
          .join(",");
        out.push(`${t} index ${i.name} unique=${i.unique} (${cols})`);
      }
      for (const f of db.pragma(`foreign_key_list("${t}")`) as Record<string, unknown>[])
        out.push(`${t} fk ${String(f.from)} -> ${String(f.table)}.${String(f.to)} ${String(f.on_delete)}`);
    }
    return out.sort().join("\n");
  } finally {
    db.close();
  }
}

async function describePostgres(url: string): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const cols = await c.query(
      "SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema='public' AND table_name <> '_portcullis_migrations'",
    );
    const idx = await c.query(
      "SELECT indexdef FROM pg_indexes WHERE schemaname='public' AND tablename <> '_portcullis_migrations'",
    );
    const cons = await c.query(
      "SELECT conrelid::regclass::text AS t, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE connamespace='public'::regnamespace AND conrelid::regclass::text <> '_portcullis_migrations'",
    );
    return [
      ...cols.rows.map(
        (r) => `${r.table_name}.${r.column_name} ${r.data_type} ${r.is_nullable} ${r.column_default}`,
      ),
      ...idx.rows.map((r) => String(r.indexdef)),
      ...cons.rows.map((r) => `${r.t} ${r.conname} ${r.def}`),
    ]
      .sort()
      .join("\n");
  } finally {
    await c.end();
  }
}

function diffLines(a: string, b: string): string {
  const A = new Set(a.split("\n"));
  const B = new Set(b.split("\n"));
  return [
    ...[...A].filter((l) => !B.has(l)).map((l) => `  only in migrations: ${l}`),
    ...[...B].filter((l) => !A.has(l)).map((l) => `  only in schema:     ${l}`),
  ].join("\n");
}

let failed = false;
{
  const dir = mkdtempSync(join(tmpdir(), "portcullis-migcheck-"));
  try {
    await applyMigrations(`file:${join(dir, "m.db")}`, root);
    const s = new Database(join(dir, "s.db"));
    s.exec(schemaSql("sqlite"));
    s.close();
    const d = diffLines(describeSqlite(join(dir, "m.db")), describeSqlite(join(dir, "s.db")));
    if (d) {
      failed = true;
      console.error(`SQLite migrations drift from prisma/sqlite/schema.prisma:\n${d}`);
    } else console.log("SQLite migrations match the schema.");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const admin = process.env.TEST_POSTGRES_URL;
if (!admin) {
  console.log("PostgreSQL migration check SKIPPED (TEST_POSTGRES_URL not set).");
} else {
  const names = [`pc_mig_${randomBytes(4).toString("hex")}`, `pc_sch_${randomBytes(4).toString("hex")}`];
  const a = new pg.Client({ connectionString: admin });
  await a.connect();
  const urlOf = (n: string) => {
    const u = new URL(admin);
    u.pathname = `/${n}`;
    return u.toString();
  };
  try {
    for (const n of names) await a.query(`CREATE DATABASE ${n}`);
    await applyMigrations(urlOf(names[0]!), root);
    const c = new pg.Client({ connectionString: urlOf(names[1]!) });
    await c.connect();
    await c.query(schemaSql("postgres"));
    await c.end();
    const d = diffLines(await describePostgres(urlOf(names[0]!)), await describePostgres(urlOf(names[1]!)));
    if (d) {
      failed = true;
      console.error(`PostgreSQL migrations drift from prisma/postgres/schema.prisma:\n${d}`);
    } else console.log("PostgreSQL migrations match the schema.");
  } finally {
    for (const n of names) await a.query(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`);
    await a.end();
  }
}
process.exit(failed ? 1 : 0);
