#!/usr/bin/env node
// `npm test`: every tier in order — static checks, unit + integration (SQLite, and PostgreSQL when
// TEST_POSTGRES_URL is set), production build, browser tests, and the smoke tier on a second Node.js when
// PORTCULLIS_SMOKE_NODE names one — then one line "N passed, N failed".
import "../bin/require-node.mjs";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let passed = 0;
let failed = 0;
const failures = [];
/** The failing (and flaky) tests by name with their first error line, printed last so a CI log's tail names them. */
const failedTests = [];

function firstLine(text) {
  // eslint-disable-next-line no-control-regex -- reporters colour their messages; the summary is plain text
  const plain = String(text ?? "").replace(/\u001b\[[0-9;]*m/g, "");
  return (
    plain
      .split("\n")
      .find((l) => l.trim())
      ?.trim()
      .slice(0, 240) ?? ""
  );
}

function run(label, cmd, args, env = {}, cwd = undefined) {
  console.log(`\n▶ ${label}`);
  const merged = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k]; // `{ X: undefined }` unsets X
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd, env: merged });
  return r.status === 0;
}

function check(label, cmd, args, env, cwd) {
  if (run(label, cmd, args, env, cwd)) passed++;
  else {
    failed++;
    failures.push(label);
  }
}

function fail(label) {
  failed++;
  failures.push(label);
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
check(
  "rules bootstrap: rules-runtime/bootstrap.generated.ts built from the sandbox/*.js parts",
  "node",
  ["scripts/build-rules-bootstrap.mjs", "--check"],
);
check("typecheck (tsc --noEmit)", "npx", ["tsc", "--noEmit"]);
check("typecheck: rules sandbox bootstrap (tsc -p rules-runtime/sandbox)", "npx", [
  "tsc",
  "-p",
  "rules-runtime/sandbox",
]);
check("lint (eslint)", "npx", ["eslint", "."]);

// Tier 2: unit and integration tests.
if (!process.env.TEST_POSTGRES_URL) {
  console.log(
    "\n⚠ PostgreSQL integration tier SKIPPED: TEST_POSTGRES_URL is not set (CI sets it; see README).",
  );
}
/** Copies the project's files (tracked and new, as git sees them; not node_modules, builds or data) to `dest`. */
function copyProject(dest) {
  const files = existsSync(".git")
    ? execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
        encoding: "utf8",
      })
        .split("\0")
        .filter((f) => f && existsSync(f))
    : null;
  if (files) for (const f of files) cpSync(f, join(dest, f), { preserveTimestamps: true });
  else {
    const skip = new Set([
      "node_modules",
      ".next",
      "generated",
      "data",
      "test-results",
      "playwright-report",
      ".git",
    ]);
    cpSync(".", dest, { recursive: true, filter: (src) => !skip.has(src.split("/")[0]) });
  }
}

/** Runs vitest in `cwd` and adds its test counts (not one pass/fail for the whole run) to the summary. */
function vitest(label, env = {}, cwd = ".") {
  const report = join(cwd, "test-results", "vitest.json");
  rmSync(report, { force: true });
  const ok = run(
    label,
    "npx",
    ["vitest", "run", "--reporter=default", "--reporter=json", "--outputFile.json=test-results/vitest.json"],
    env,
    cwd,
  );
  const v = readJson(report);
  if (v) {
    passed += v.numPassedTests;
    failed += v.numFailedTests;
    if (v.numFailedTests > 0 || !ok) failures.push(label);
    for (const file of v.testResults ?? []) {
      const failedHere = (file.assertionResults ?? []).filter((t) => t.status === "failed");
      for (const t of failedHere)
        failedTests.push(`${label} › ${t.fullName}: ${firstLine(t.failureMessages?.[0])}`);
      if (!failedHere.length && file.status === "failed")
        failedTests.push(`${label} › ${file.name}: ${firstLine(file.message)}`);
    }
    if (!ok && v.numFailedTests === 0) failed++; // suite-level failure (e.g. a file that does not load)
  } else fail(`${label} (no report)`);
}
vitest("unit + integration tests (vitest)");

// Tier 3: production build, then browser tests against the started server.
const built = run("build (next build)", "npx", ["next", "build"]);
if (built) passed++;
else {
  failed++;
  failures.push("next build");
}
// Debian's chromium (playwright.config.ts); `npx playwright install` cannot download browsers here. Without it,
// one line saying what to install instead of one launch error per test, and the tier counts as one failure.
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (built && !existsSync(chromium)) {
  console.log(
    `\n✖ browser tests NOT RUN: no chromium at ${chromium}. Install Debian's chromium ` +
      "(apt-get install chromium; .ci/run does) or point CHROMIUM_PATH at a Chromium binary.",
  );
  fail("playwright (chromium not installed)");
} else if (built) {
  rmSync("test-results/playwright.json", { force: true });
  rmSync("data/e2e", { recursive: true, force: true });
  const e2eOk = run("browser tests (playwright, chromium)", "npx", ["playwright", "test"], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: "test-results/playwright.json",
  });
  const p = readJson("test-results/playwright.json");
  if (p?.stats) {
    // A test that failed once and passed on its retry (playwright.config.ts) counts as passed and is named below.
    passed += p.stats.expected + (p.stats.flaky ?? 0);
    failed += p.stats.unexpected;
    if (!e2eOk) failures.push("playwright");
    if (!e2eOk && p.stats.unexpected === 0) failed++;
    const walk = (suite, path) => {
      for (const spec of suite.specs ?? [])
        for (const t of spec.tests ?? [])
          if (t.status === "unexpected" || t.status === "flaky") {
            const error = t.results?.find((r) => r.error)?.error?.message;
            failedTests.push(
              `playwright${t.status === "flaky" ? " (flaky)" : ""} › ${[...path, spec.title].join(" › ")}: ${firstLine(error)}`,
            );
          }
      for (const child of suite.suites ?? []) walk(child, [...path, child.title]);
    };
    for (const suite of p.suites ?? []) walk(suite, [suite.title]);
  } else fail("playwright (no report)");
}

// Tier 4: smoke tier on a second Node.js (.ci/run: Node 22 next to the Node 24 running everything above). Native
// modules are per Node ABI, so it gets its own copy of the project and its own `npm ci`, leaving this tree alone:
// the unit and integration tests (SQLite), then `npm start` and one password grant (scripts/smoke-start.mjs).
const smokeNode = process.env.PORTCULLIS_SMOKE_NODE; // a directory with bin/node (and include/node for node-gyp)
if (!smokeNode) {
  console.log(
    "\n⚠ Second-Node smoke tier SKIPPED: PORTCULLIS_SMOKE_NODE is not set (.ci/run sets it to Node 22).",
  );
} else {
  const nodeBin = join(smokeNode, "bin", "node");
  const version = existsSync(nodeBin)
    ? execFileSync(nodeBin, ["--version"], { encoding: "utf8" }).trim()
    : "";
  if (!version) fail(`Node smoke tier (no node at ${nodeBin})`);
  else {
    const copy = mkdtempSync(join(tmpdir(), "portcullis-smoke-"));
    copyProject(copy);
    // What `npm test` put in the environment about this tree and its Node (npm_package_*, npm_node_execpath, NODE,
    // …) must not leak into the copy's npm; the user's own npm_config_* settings may.
    const npmRunVars = Object.keys(process.env).filter(
      (k) =>
        /^(npm_lifecycle_|npm_package_)/.test(k) ||
        [
          "npm_command",
          "npm_execpath",
          "npm_node_execpath",
          "npm_config_local_prefix",
          "npm_config_user_agent",
        ]
          .concat(["npm_config_node_gyp", "NODE", "INIT_CWD"])
          .includes(k),
    );
    const env = {
      ...Object.fromEntries(npmRunVars.map((k) => [k, undefined])),
      PATH: `${join(smokeNode, "bin")}:${process.env.PATH}`,
      // node-gyp compiles against these headers if a native module has no prebuilt binary (nothing downloads).
      npm_config_nodedir: existsSync(join(smokeNode, "include", "node", "common.gypi"))
        ? smokeNode
        : process.env.npm_config_nodedir,
      TEST_POSTGRES_URL: undefined, // SQLite only: the PostgreSQL code is the same JavaScript on every Node
    };
    const tag = `Node ${version} smoke`;
    check(`${tag}: npm ci in its own copy (${copy})`, "npm", ["ci", "--no-audit", "--no-fund"], env, copy);
    if (!failures.at(-1)?.startsWith(tag)) {
      vitest(`${tag}: unit + integration tests (vitest, SQLite)`, env, copy);
      check(`${tag}: npm start + one password grant`, "node", ["scripts/smoke-start.mjs"], env, copy);
    }
    rmSync(copy, { recursive: true, force: true });
  }
}

if (failedTests.length) {
  console.log("\nFailing tests:");
  for (const t of failedTests.slice(0, 20)) console.log(`  ✖ ${t}`);
  if (failedTests.length > 20) console.log(`  … and ${failedTests.length - 20} more`);
}
if (failures.length) console.log(`\nFailed: ${failures.join(", ")}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 && existsSync("test-results") ? 0 : 1);
