#!/usr/bin/env node
// Create prisma/{sqlite,postgres}/migrations/<timestamp>_<name>/migration.sql from the difference between the
// schema committed at HEAD and the working-tree schema. `npm test` (scripts/check-migrations.ts) then proves that
// the migrations reproduce the schema. Usage: node scripts/new-migration.mjs add_rules
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: node scripts/new-migration.mjs <snake_case_name>");
  process.exit(2);
}
execFileSync("node", ["scripts/gen-pg-schema.mjs"], { stdio: "inherit" });
const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
const tmp = mkdtempSync(join(tmpdir(), "portcullis-newmig-"));
for (const [kind, provider] of [
  ["sqlite", "sqlite"],
  ["postgres", "postgresql"],
]) {
  const before = join(tmp, `${kind}.prisma`);
  writeFileSync(
    before,
    execFileSync("git", ["show", `HEAD:prisma/${kind}/schema.prisma`], { encoding: "utf8" }),
  );
  const sql = execFileSync(
    "npx",
    [
      "prisma",
      "migrate",
      "diff",
      "--from-schema-datamodel",
      before,
      "--to-schema-datamodel",
      `prisma/${kind}/schema.prisma`,
      "--script",
    ],
    { encoding: "utf8", env: { ...process.env, DB_PROVIDER: provider } },
  );
  const dir = join("prisma", kind, "migrations", `${stamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "migration.sql"), sql);
  console.log(`wrote ${dir}/migration.sql`);
}
