#!/usr/bin/env node
// `npm test`: every tier in order — static checks, unit + integration (SQLite, and PostgreSQL when
// TEST_POSTGRES_URL is set), production build, browser tests — then one line "N passed, N failed".
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";

let passed = 0;
let failed = 0;
const failures = [];

function run(label, cmd, args, env = {}) {
  console.log(`\n▶ ${label}`);
  const r = spawnSync(cmd, args, {
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env },
  });
  return r.status === 0;
}

function check(label, cmd, args, env) {
  if (run(label, cmd, args, env)) passed++;
  else {
    failed++;
    failures.push(label);
  }
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

mkdirSync("test-results", { recursive: true });

// Tier 1: static checks.
check("schema: prisma/postgres/schema.prisma generated from the SQLite schema", "node", [
  "scripts/gen-pg-schema.mjs",
  "--check",
]);
check("schema: migrations reproduce the schemas", "node", ["--import", "tsx", "scripts/check-migrations.ts"]);
check("typecheck (tsc --noEmit)", "npx", ["tsc", "--noEmit"]);
check("lint (eslint)", "npx", ["eslint", "."]);

// Tier 2: unit and integration tests.
if (!process.env.TEST_POSTGRES_URL) {
  console.log(
    "\n⚠ PostgreSQL integration tier SKIPPED: TEST_POSTGRES_URL is not set (CI sets it; see README).",
  );
}
rmSync("test-results/vitest.json", { force: true });
const vitestOk = run("unit + integration tests (vitest)", "npx", [
  "vitest",
  "run",
  "--reporter=default",
  "--reporter=json",
  "--outputFile.json=test-results/vitest.json",
]);
const v = readJson("test-results/vitest.json");
if (v) {
  passed += v.numPassedTests;
  failed += v.numFailedTests;
  if (v.numFailedTests > 0 || !vitestOk) failures.push("vitest");
  if (!vitestOk && v.numFailedTests === 0) failed++; // suite-level failure (e.g. a file that does not load)
} else {
  failed++;
  failures.push("vitest (no report)");
}

// Tier 3: production build, then browser tests against the started server.
const built = run("build (next build)", "npx", ["next", "build"]);
if (built) passed++;
else {
  failed++;
  failures.push("next build");
}
if (built) {
  rmSync("test-results/playwright.json", { force: true });
  rmSync("data/e2e", { recursive: true, force: true });
  const e2eOk = run("browser tests (playwright, chromium)", "npx", ["playwright", "test"], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: "test-results/playwright.json",
  });
  const p = readJson("test-results/playwright.json");
  if (p?.stats) {
    passed += p.stats.expected;
    failed += p.stats.unexpected + (p.stats.flaky ?? 0);
    if (!e2eOk) failures.push("playwright");
    if (!e2eOk && p.stats.unexpected === 0) failed++;
  } else {
    failed++;
    failures.push("playwright (no report)");
  }
}

if (failures.length) console.log(`\nFailed: ${failures.join(", ")}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 && existsSync("test-results") ? 0 : 1);
