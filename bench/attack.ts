// Attack-protection benchmark: how fast a blocked IP's login attempts are refused, next to the rate of valid
// logins, in-process through the same Request → Response token endpoint the HTTP server calls. Refusals happen
// before any user lookup or password hash, so they should be far cheaper than logins (target: ≥ 20×).
//
//   node --import tsx bench/attack.ts [--seconds 5] [--concurrency 8] [--db sqlite|postgres]
//
// PostgreSQL: set TEST_POSTGRES_URL to an admin URL; a database is created and dropped.
import { parseArgs } from "node:util";
import { createTestDeps } from "../server/testing/test-deps.ts";
import { seedFixture } from "../server/testing/fixtures.ts";
import { buildTokenRequest, passwordParams } from "../server/testing/token-calls.ts";
import { handleTokenRequest } from "../server/oauth/token-endpoint.ts";
import { updateAttackProtection } from "../server/admin/protection/update-attack-protection.ts";
import { CLI_ACTOR } from "../server/admin/audit.ts";
import type { TDeps } from "../server/config/deps.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "5" },
    concurrency: { type: "string", default: "8" },
    db: { type: "string", default: "sqlite" },
  },
});
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);
const kind = values.db === "postgres" ? "postgres" : "sqlite";

async function drive(
  deps: TDeps,
  make: () => Request,
  expected: number,
): Promise<{ rate: number; p50: number }> {
  const latencies: number[] = [];
  const end = performance.now() + SECONDS * 1000;
  let unexpected = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        const res = await handleTokenRequest(make(), deps);
        await res.arrayBuffer();
        latencies.push(performance.now() - t);
        if (res.status !== expected) unexpected++;
      }
    }),
  );
  if (unexpected > 0) throw new Error(`${unexpected} responses were not ${expected}`);
  latencies.sort((a, b) => a - b);
  return { rate: latencies.length / SECONDS, p50: latencies[Math.floor(latencies.length / 2)] ?? 0 };
}

const deps = await createTestDeps(kind);
try {
  const fx = await seedFixture(deps);
  const alice = fx.users.alice;
  // Valid logins from many addresses, as real users would come.
  let n = 0;
  const validIp = () => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n++ & 255}`;
  const login = await drive(
    deps,
    () => buildTokenRequest({ params: passwordParams(fx.clients.web, alice), socketIp: validIp() }),
    200,
  );

  // Throttle one IP: a tiny budget that never refills during the run, then spend it.
  await updateAttackProtection(deps, CLI_ACTOR, "suspicious-ip-throttling", {
    stage: { "pre-login": { max_attempts: 1, rate: 3_600_000 } },
  });
  const attacker = "203.0.113.66";
  const attempt = () =>
    buildTokenRequest({
      params: passwordParams(fx.clients.web, { email: `victim-${n++}@example.com`, password: "guess" }),
      socketIp: attacker,
    });
  await handleTokenRequest(attempt(), deps);
  const refused = await drive(deps, attempt, 429);

  const ratio = refused.rate / login.rate;
  console.log(`database: ${kind}, concurrency ${CONCURRENCY}, ${SECONDS} s per phase, in-process`);
  console.log(
    `valid logins:          ${login.rate.toFixed(0).padStart(7)}/s  p50 ${login.p50.toFixed(2)} ms`,
  );
  console.log(
    `blocked-IP refusals:   ${refused.rate.toFixed(0).padStart(7)}/s  p50 ${refused.p50.toFixed(2)} ms`,
  );
  console.log(
    `refusals are ${ratio.toFixed(1)}× faster than logins (target ≥ 20×): ${ratio >= 20 ? "met" : "NOT met"}`,
  );
} finally {
  await deps.cleanup();
}
