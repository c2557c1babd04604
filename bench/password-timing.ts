// Password-failure timing: median time of a failed password grant for an unknown user and for a known user with
// a wrong password, per kind of stored hash, in-process through the Request → Response token endpoint. Issue 13
// item 5: the columns must agree (within 10 %), whatever the kind, since the difference told an attacker which
// accounts exist. One tenant holds every kind at once, as an imported one would; the failure floor follows the
// costliest, so every failure takes about as long as a wrong bcrypt cost-12 password.
//
//   node --import tsx bench/password-timing.ts [--rounds 15] [--db sqlite|postgres] [--max-bcrypt 12]
//
// PostgreSQL: set TEST_POSTGRES_URL to an admin URL; a database is created and dropped.
import { parseArgs } from "node:util";
import { hash as argon2Hash } from "@node-rs/argon2";
import { hash as bcryptHash } from "@node-rs/bcrypt";
import { createTestDeps } from "../server/testing/test-deps.ts";
import { createFixtureUser, seedFixture } from "../server/testing/fixtures.ts";
import { buildTokenRequest, passwordParams } from "../server/testing/token-calls.ts";
import { handleTokenRequest } from "../server/oauth/token-endpoint.ts";
import { listPasswordHashKinds, updateUserProfile } from "../server/store/users.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "15" },
    db: { type: "string", default: "sqlite" },
    "max-bcrypt": { type: "string", default: "12" },
  },
});
const ROUNDS = Number(values.rounds);
const MAX_BCRYPT = Number(values["max-bcrypt"]);
const kind = values.db === "postgres" ? "postgres" : "sqlite";

const deps = await createTestDeps(kind);
try {
  const fx = await seedFixture(deps);
  const p = deps.hasher.params;
  const kinds: [string, (pw: string) => Promise<string>][] = [
    [`argon2id m=${p.memoryKiB} t=${p.iterations} (current)`, (pw) => deps.hasher.hash(pw)],
    ["argon2id m=65536 t=2", (pw) => argon2Hash(pw, { memoryCost: 65536, timeCost: 2 })],
    ["argon2i m=8192 t=1", (pw) => argon2Hash(pw, { algorithm: 1, memoryCost: 8192, timeCost: 1 })],
    ...[4, 10, 12, 14]
      .filter((c) => c <= MAX_BCRYPT)
      .map((c): [string, (pw: string) => Promise<string>] => [`bcrypt cost ${c}`, (pw) => bcryptHash(pw, c)]),
  ];
  const users: { name: string; email: string }[] = [];
  for (const [name, make] of kinds) {
    const u = await createFixtureUser(deps, fx, { connection: "database", password: "right-password" });
    await updateUserProfile(deps.db, u.id, { passwordHash: await make("right-password") }, deps.clock.now());
    users.push({ name, email: u.email });
  }
  // What createDeps does at start (these users were inserted after it ran).
  await deps.hasher.learnStoredHashKinds(await listPasswordHashKinds(deps.db));

  let ip = 0;
  const attempt = async (email: string) => {
    const n = ++ip;
    const t = performance.now();
    const res = await handleTokenRequest(
      buildTokenRequest({
        params: passwordParams(fx.clients.web, { email, password: "wrong-password" }),
        // A fresh address per attempt keeps brute-force protection and IP throttling out of the figures.
        socketIp: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
      }),
      deps,
    );
    await res.arrayBuffer();
    if (res.status !== 403) throw new Error(`expected 403, got ${res.status}`);
    return performance.now() - t;
  };
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  };

  console.log(`password-failure timing, ${kind}, ${ROUNDS} interleaved rounds per kind`);
  console.log(`failure floor after start: ${deps.hasher.failureFloorMs().toFixed(1)} ms`);
  console.log("| stored hash kind | unknown user (ms) | wrong password (ms) | spread |");
  console.log("|---|---:|---:|---:|");
  for (const u of users) {
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // Alternate the order so drift in machine load hits both columns alike.
      if (i % 2) {
        unknown.push(await attempt("nobody-here@example.com"));
        wrong.push(await attempt(u.email));
      } else {
        wrong.push(await attempt(u.email));
        unknown.push(await attempt("nobody-here@example.com"));
      }
    }
    const a = median(unknown);
    const b = median(wrong);
    const spread = (Math.max(a, b) / Math.min(a, b) - 1) * 100;
    console.log(`| ${u.name} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${spread.toFixed(1)} % |`);
  }
  console.log(`failure floor at the end: ${deps.hasher.failureFloorMs().toFixed(1)} ms`);
} finally {
  await deps.cleanup();
}
