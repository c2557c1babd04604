// Latency the rules engine adds to one login, and memory per warm isolate. Run:
//   node --import tsx bench/rules.ts   (or npm run bench:rules)
// It drives the same runner the token endpoint uses (warm isolate, fresh context per login, JSON in and out)
// with the user and context a password login builds, for 0, 1, 5 and 20 typical rules; logins run one at a time
// so the figures are latency, not throughput. No server or database is involved: the grant's other steps do not
// change with the number of rules.
import { createRulesRunner } from "../rules-runtime/index.ts";
import { RULES_CONTEXT, RULES_USER, rulesOf } from "./typical-rules.ts";
import { percentile, rerunWithoutNodeSnapshot } from "./bench-support.ts";

rerunWithoutNodeSnapshot(import.meta.url);

const runner = createRulesRunner({});
const base = {
  user: RULES_USER,
  context: RULES_CONTEXT,
  configuration: {},
  auth0Domain: "auth.acme.test",
  fetchAllowedHosts: [],
};
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
