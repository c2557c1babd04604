// Latency the rules engine adds to one login, and memory per warm isolate. Run:
//   node --import tsx bench/rules.ts   (or npm run bench:rules)
// It drives the same runner the token endpoint uses (warm isolate, fresh context per login, JSON in and out)
// with the user and context a password login builds, for 0, 1, 5 and 20 typical rules; logins run one at a time
// so the figures are latency, not throughput. No server or database is involved: the grant's other steps do not
// change with the number of rules.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createRulesRunner, type TJsonObject, type TRuleSource } from "../rules-runtime/index.ts";
import { TYPICAL } from "./typical-rules.ts";
import { percentile } from "./bench-support.ts";

if (
  !process.execArgv.includes("--no-node-snapshot") &&
  !process.env.NODE_OPTIONS?.includes("no-node-snapshot")
) {
  // isolated-vm needs --no-node-snapshot on Node 20+: run again with it.
  const r = spawnSync(
    process.execPath,
    ["--no-node-snapshot", "--import", "tsx", fileURLToPath(import.meta.url)],
    {
      stdio: "inherit",
    },
  );
  process.exit(r.status ?? 1);
}

const user: TJsonObject = {
  user_id: "auth0|5f7c8ec7c33c6c004bbafe82",
  email: "jane.doe@example.com",
  email_verified: true,
  name: "Jane Doe",
  nickname: "jane.doe",
  given_name: "Jane",
  family_name: "Doe",
  created_at: "2024-01-15T10:00:00.000Z",
  updated_at: "2026-11-25T10:00:00.000Z",
  logins_count: 12,
  blocked: false,
  identities: [
    { connection: "Employees", provider: "auth0", isSocial: false, user_id: "5f7c8ec7c33c6c004bbafe82" },
  ],
  app_metadata: { roles: ["admin", "ops"], plan: "enterprise" },
  user_metadata: { theme: "dark" },
  multifactor: [],
  permissions: [],
};
const context: TJsonObject = {
  tenant: "Acme",
  clientID: "WNaSOvcxtEV2xx95rnlmJ5oqxGy1qLk4",
  clientName: "Acme Web",
  clientMetadata: {},
  connection: "Employees",
  connectionID: "con_4877166bfa4fd7cb",
  connectionStrategy: "auth0",
  protocol: "oauth2-password",
  request: {
    ip: "198.51.100.10",
    userAgent: "node-auth0/4.27.0",
    query: {},
    body: { grant_type: "password", username: "jane.doe@example.com", scope: "openid profile email" },
  },
  stats: { loginsCount: 13 },
  sso: { with_auth0: false, with_dbconn: false },
  idToken: {},
  accessToken: {},
  sessionID: "w4yVfJ3r0sVgM9Uo",
  authentication: { methods: [{ name: "pwd", timestamp: Date.now() }] },
  authorization: { roles: [] },
};

function rulesOf(n: number): TRuleSource[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `rule-${i + 1}`,
    script: TYPICAL[i % TYPICAL.length]!,
  }));
}

const runner = createRulesRunner({});
const base = { user, context, configuration: {}, auth0Domain: "auth.acme.test", fetchAllowedHosts: [] };
const ITERATIONS = 2000;

console.log(`Rules engine: added latency per login (${ITERATIONS} sequential logins after 300 warm-up)\n`);
console.log("| Enabled rules | p50 (ms) | p99 (ms) | mean (ms) |");
console.log("|---:|---:|---:|---:|");
for (const n of [0, 1, 5, 20]) {
  const rules = rulesOf(n);
  const once = async () => {
    // With no enabled rules the grant skips the runner entirely (runLoginRules returns before calling it).
    if (n === 0) return;
    const r = await runner.run({ ...base, isolateKey: "bench", rules });
    if (!r.ok) throw new Error(`rules failed: ${JSON.stringify(r.failure)}`);
  };
  for (let i = 0; i < 300; i++) await once();
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t = performance.now();
    await once();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  console.log(
    `| ${n} | ${percentile(times, 50).toFixed(3)} | ${percentile(times, 99).toFixed(3)} | ${mean.toFixed(3)} |`,
  );
}

// Memory: many warm isolates (one per tenant key), each with 5 compiled rules and a spare context after one run.
const ISOLATES = 50;
globalThis.gc?.();
const before = process.memoryUsage().rss;
for (let i = 0; i < ISOLATES; i++)
  await runner.run({ ...base, isolateKey: `tenant-${i}`, rules: rulesOf(5) });
await new Promise((r) => setTimeout(r, 200));
const after = process.memoryUsage().rss;
const stats = await runner.stats();
const heaps = stats.heaps.filter((h) => h.key.startsWith("tenant-"));
const used = heaps.reduce((a, h) => a + h.usedHeapBytes, 0) / heaps.length;
const total = heaps.reduce((a, h) => a + h.totalHeapBytes, 0) / heaps.length;
const mib = (b: number) => (b / 1024 / 1024).toFixed(2);
console.log(`\nMemory per warm isolate (${ISOLATES} isolates, 5 rules compiled, one spare context each):`);
console.log(`  RSS added: ${mib((after - before) / ISOLATES)} MiB per isolate`);
console.log(`  V8 heap: used ${mib(used)} MiB, total ${mib(total)} MiB per isolate`);
runner.dispose();
