// CPU time and latency that post-login Actions add to one login, next to the Rules, in one process run. Run:
//   node --import tsx bench/actions.ts   (or npm run bench:actions)
// Target (issue 16): 5 typical actions add < 1 ms p50 CPU per login over none.
//
// It drives the runner the token endpoint uses, as runLoginRules and runLoginActions call it: a warm isolate per
// key (rules and actions in isolates of their own, as in the server), a fresh context per login for the rules and a
// warm context per flow version for the actions (rules-runtime/warm-contexts.ts), JSON in and out.
// Rules get the user and context of bench/rules.ts; actions get the event buildPostLoginEvent builds for the same
// login (built per login, as the server does), their api.cache entries and their commands' cache writes and
// metadata applied afterwards, so api.cache hits and "set metadata once" behave as on a real server. With no rule
// or action the grant never calls the runner, so 0 costs nothing. Logins run one at a time: latency, not
// throughput. No server or database is involved: the grant's other steps do not change with the rules or actions.
//
// CPU per login is process.cpuUsage() (user + system, every thread of the process, so isolated-vm's threads too)
// before and after each login. The rules' fresh context made in the background after a login is not inside that
// window; the last column (the whole run's CPU divided by the logins) includes it, and for the actions it includes
// the install of a new warm context every 1,000 logins.
import { randomBytes } from "node:crypto";
import { createRulesRunner, type TActionSource, type TJsonObject } from "../rules-runtime/index.ts";
import { createActionCache } from "../server/actions/actions-service.ts";
import { buildPostLoginEvent } from "../server/actions/post-login-event.ts";
import type { TUserRecord } from "../server/store/users.ts";
import { percentile, rerunWithoutNodeSnapshot } from "./bench-support.ts";
import { ACTIONS_USER, TYPICAL_ACTIONS, benchEventInput } from "./typical-actions.ts";
import { RULES_CONTEXT, RULES_USER, rulesOf } from "./typical-rules.ts";

rerunWithoutNodeSnapshot(import.meta.url);

const WARMUP = 300;
const ITERATIONS = 2000;
const COUNTS = [0, 1, 5, 20];

type TFigures = { wall: number[]; cpu: number[]; cpuPerLogin: number };

/** Run `once` WARMUP times, then ITERATIONS times measuring each: wall ms, CPU ms, and the run's CPU per login. */
async function measure(once: () => Promise<void>): Promise<TFigures> {
  for (let i = 0; i < WARMUP; i++) await once();
  const wall: number[] = [];
  const cpu: number[] = [];
  const runStart = process.cpuUsage();
  for (let i = 0; i < ITERATIONS; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await once();
    const elapsed = performance.now() - t;
    const used = process.cpuUsage(c);
    wall.push(elapsed);
    cpu.push((used.user + used.system) / 1000);
  }
  const run = process.cpuUsage(runStart);
  wall.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return { wall, cpu, cpuPerLogin: (run.user + run.system) / 1000 / ITERATIONS };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const ms = (x: number) => x.toFixed(3);

function printTable(what: string, rows: [number, TFigures][]): void {
  console.log(
    `| ${what} | wall p50 (ms) | wall p99 (ms) | wall mean (ms) | CPU p50 (ms) | CPU p99 (ms) | CPU mean (ms) | CPU per login, whole run (ms) |`,
  );
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const [n, f] of rows)
    console.log(
      `| ${n} | ${ms(percentile(f.wall, 50))} | ${ms(percentile(f.wall, 99))} | ${ms(mean(f.wall))} | ` +
        `${ms(percentile(f.cpu, 50))} | ${ms(percentile(f.cpu, 99))} | ${ms(mean(f.cpu))} | ${ms(f.cpuPerLogin)} |`,
    );
}

const runner = createRulesRunner({});

// Rules: as bench/rules.ts.
const rulesBase = {
  user: RULES_USER,
  context: RULES_CONTEXT,
  configuration: {},
  auth0Domain: "auth.acme.test",
  fetchAllowedHosts: [],
};
const ruleRows: [number, TFigures][] = [];
for (const n of COUNTS) {
  const rules = rulesOf(n);
  ruleRows.push([
    n,
    await measure(async () => {
      if (n === 0) return;
      const r = await runner.run({ ...rulesBase, isolateKey: "bench", rules });
      if (!r.ok) throw new Error(`rules failed: ${JSON.stringify(r.failure)}`);
    }),
  ]);
}

// Actions: as runLoginActions calls the runner.
function actionsOf(codes: string[]) {
  return codes.map((code, i) => ({
    id: `act_${i + 1}`,
    name: `action-${i + 1}`,
    code,
    secrets: { API_KEY: `bench-secret-${i + 1}` },
  }));
}
const typical = (n: number) =>
  Array.from({ length: n }, (_, i) => TYPICAL_ACTIONS[i % TYPICAL_ACTIONS.length]!);

/** A metadata patch applied to stored metadata (null deletes a key), as the login's transaction does. */
function patched(base: Record<string, unknown>, patch: Record<string, unknown> | null) {
  if (!patch) return base;
  const out = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** Logins of the bench user through these actions (none: the grant skips the runner). */
function measureActions(codes: string[]): Promise<TFigures> {
  const actions = actionsOf(codes);
  const idOf = new Map(actions.map((a) => [a.name, a.id]));
  const cache = createActionCache();
  let user: TUserRecord = { ...ACTIONS_USER };
  return measure(async () => {
    if (actions.length === 0) return;
    const now = new Date();
    const nowMs = now.getTime();
    const event: TJsonObject = buildPostLoginEvent(
      benchEventInput(user, now, randomBytes(16).toString("base64url")),
    );
    const sources: TActionSource[] = actions.map((a) => ({
      name: a.name,
      code: a.code,
      secrets: a.secrets,
      cache: cache.entries(a.id, nowMs),
    }));
    const r = await runner.runActions({
      isolateKey: "bench:actions",
      actions: sources,
      event,
      executedRules: [],
      fetchAllowedHosts: [],
      // As runLoginActions passes it: the clock read when the login began, minus the real clock now.
      clockOffsetMs: nowMs - Date.now(),
    });
    if (!r.ok) throw new Error(`actions failed: ${JSON.stringify(r.failure)}`);
    if (r.commands.denied) throw new Error(`actions denied: ${JSON.stringify(r.commands.denied)}`);
    for (const c of r.commands.cache) {
      const id = idOf.get(c.action)!;
      if (c.op === "delete") cache.delete(id, c.key);
      else cache.set(id, c.key, { value: c.value!, expires_at: c.expires_at! });
    }
    user = {
      ...user,
      appMetadata: patched(user.appMetadata, r.commands.metadata.app),
      userMetadata: patched(user.userMetadata, r.commands.metadata.user),
    };
  });
}

const actionRows: [number, TFigures][] = [];
for (const n of COUNTS) actionRows.push([n, await measureActions(typical(n))]);
// Where the time of 5 goes: the same five with the lodash one (index 4) swapped for "set app metadata once".
const withoutLodash = await measureActions([...TYPICAL_ACTIONS.slice(0, 4), TYPICAL_ACTIONS[5]!]);
const lodashOnly = await measureActions([TYPICAL_ACTIONS[4]!]);
// The first login of a new flow version (after a deploy, or on a context recycled after 1,000 logins) installs a warm
// context: the 5 typical actions, each version a new comment apart, one login each.
const installCpu: number[] = [];
for (let v = 0; v < 60; v++) {
  const codes = typical(5).map((code) => `${code}\n// version ${v}`);
  const figures = await (async () => {
    const c = process.cpuUsage();
    const r = await runner.runActions({
      isolateKey: "bench:install",
      actions: actionsOf(codes).map((a) => ({ ...a, cache: {} })),
      event: buildPostLoginEvent(benchEventInput(ACTIONS_USER, new Date(), randomBytes(16).toString("base64url"))),
      executedRules: [],
      fetchAllowedHosts: [],
      clockOffsetMs: 0,
    });
    if (!r.ok) throw new Error(`actions failed: ${JSON.stringify(r.failure)}`);
    const used = process.cpuUsage(c);
    return (used.user + used.system) / 1000;
  })();
  if (v >= 10) installCpu.push(figures);
}
installCpu.sort((a, b) => a - b);
// The isolates' heaps at the end: the actions' one holds its idle warm contexts (one per flow version measured).
const heaps = (await runner.stats()).heaps;
runner.dispose();

console.log(
  `Rules and Actions: added latency and CPU per login (${ITERATIONS} sequential logins after ${WARMUP} warm-up each; ` +
    `Node ${process.versions.node})\n`,
);
printTable("Enabled rules", ruleRows);
console.log("");
printTable("Bound actions", actionRows);
const p50cpu = (rows: [number, TFigures][], n: number) => percentile(rows.find(([k]) => k === n)![1].cpu, 50);
const p50wall = (rows: [number, TFigures][], n: number) =>
  percentile(rows.find(([k]) => k === n)![1].wall, 50);
const added = p50cpu(actionRows, 5) - p50cpu(actionRows, 0);
console.log(
  `\n5 typical actions add ${ms(added)} ms p50 CPU per login over none (target < 1 ms: ${added < 1 ? "met" : "NOT met"}); ` +
    `${ms(p50wall(actionRows, 5) - p50wall(actionRows, 0))} ms p50 wall.`,
);
console.log(
  `5 typical rules add ${ms(p50cpu(ruleRows, 5) - p50cpu(ruleRows, 0))} ms p50 CPU per login over none; ` +
    `${ms(p50wall(ruleRows, 5) - p50wall(ruleRows, 0))} ms p50 wall.`,
);
console.log(
  `Breakdown: the 5 with the require('lodash') one swapped for "set app metadata once": ` +
    `${ms(percentile(withoutLodash.cpu, 50))} ms p50 CPU, ${ms(percentile(withoutLodash.wall, 50))} ms p50 wall; ` +
    `the require('lodash') action alone: ${ms(percentile(lodashOnly.cpu, 50))} ms p50 CPU ` +
    `(1 claims action: ${ms(percentile(actionRows[1]![1].cpu, 50))} ms).`,
);
console.log(
  `The first login of a new version of the 5 (installing its warm context): ${ms(percentile(installCpu, 50))} ms p50 CPU, ` +
    `${ms(percentile(installCpu, 99))} ms p99 (${installCpu.length} versions).`,
);
console.log(
  `Isolate heaps at the end: ${heaps
    .map((h) => `${h.key} ${(h.usedHeapBytes / 1048576).toFixed(1)} MB used of ${(h.totalHeapBytes / 1048576).toFixed(1)} MB`)
    .join("; ")}.`,
);
