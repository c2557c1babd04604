#!/usr/bin/env node
// The SQLite schema is the source of truth; the PostgreSQL schema is derived from it so the two cannot drift.
// `node scripts/gen-pg-schema.mjs --check` exits 1 when prisma/postgres/schema.prisma is stale.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "prisma/sqlite/schema.prisma");
const dest = join(root, "prisma/postgres/schema.prisma");

export function derivePostgresSchema(text) {
  const out = text
    .replace('provider = "sqlite"', 'provider = "postgresql"')
    .replace('output          = "../../generated/sqlite"', 'output          = "../../generated/postgres"')
    // A literal URL keeps `prisma generate` offline (stack-notes.md §7); adapters supply the real one.
    .replace('url      = "file:./unused.db"', 'url      = "postgresql://placeholder@localhost/unused"');
  return "// GENERATED from prisma/sqlite/schema.prisma by scripts/gen-pg-schema.mjs. Do not edit.\n" + out;
}

const expected = derivePostgresSchema(readFileSync(src, "utf8"));
if (process.argv.includes("--check")) {
  const actual = existsSync(dest) ? readFileSync(dest, "utf8") : "";
  if (actual !== expected) {
    console.error("prisma/postgres/schema.prisma is out of date: run `node scripts/gen-pg-schema.mjs`.");
    process.exit(1);
  }
  console.log("prisma/postgres/schema.prisma matches prisma/sqlite/schema.prisma");
} else {
  mkdirSync(dirname(dest), { recursive: true });
  writeFileSync(dest, expected);
}
