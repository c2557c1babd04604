import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { randomBytes } from "node:crypto";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { seedFixture, type TFixture } from "../testing/fixtures.ts";
import { buildTokenRequest, passwordParams } from "../testing/token-calls.ts";
import { fuzzRuns, noteOutcome, printOutcomes } from "../testing/fuzz.ts";
import { handleTokenRequest, FORWARDED_FOR_HEADER } from "../oauth/token-endpoint.ts";
import { writeStoredPolicy } from "../store/attack-protection.ts";
import { readDate } from "../store/raw-sql.ts";
import { DEFAULT_BRUTE_FORCE, type TBruteForceProtection } from "./policies.ts";
import { createDeps, type TDeps } from "../config/deps.ts";
import type { TPasswordHasher } from "../auth/passwords.ts";

// Counter drift: after any sequence of login attempts (wrong and right passwords, known and unknown users, several
// spellings of one identifier, IPv4, IPv4-mapped and IPv6 addresses of one /64, trusted forwarded IPs and untrusted
// ones, bursts of concurrent guesses split between two server processes sharing the database, clock jumps past the
// block lifetime), the brute-force counters in the database and the audit records equal what a small model of the
// policy predicts, exactly. Time moves with deps.clock.

const BLOCK_LIFETIME_MS = 30 * 24 * 3600 * 1000;
const PROXY_IP = "192.0.2.200";

/** Client addresses and the counter key each must be counted under (IPv6 per /64, IPv4-mapped as IPv4). */
const IPS: { ip: string; key: string }[] = [
  { ip: "203.0.113.5", key: "203.0.113.5" },
  { ip: "::ffff:203.0.113.5", key: "203.0.113.5" },
  { ip: "198.51.100.7", key: "198.51.100.7" },
  { ip: "2001:db8:1:2::1", key: "2001:db8:1:2::/64" },
  { ip: "2001:0DB8:1:2:0:0:0:99", key: "2001:db8:1:2::/64" },
  { ip: "2001:db8:1:3::1", key: "2001:db8:1:3::/64" },
];

/** Forwarded values a trusted client may send that are not an address: the proxy's own address counts instead. */
const BAD_FORWARDED = ["fe80::1%eth0", "not-an-ip", "203.0.113.5, 198.51.100.7"];

type TStep =
  | {
      kind: "attempt";
      /** Index into the identifier spellings. */
      identifier: number;
      isRightPassword: boolean;
      /** socket: the caller's own address; forwarded: a trusted client forwards it; untrusted: a public client does. */
      via: "socket" | "forwarded" | "untrusted";
      ip: number;
      badForwarded: number | null;
      /** Concurrent copies (a burst of the same guess), alternating between the two processes. */
      copies: number;
      /** Which process takes the first copy. */
      process: number;
      advanceMs: number;
    }
  | { kind: "wait"; ms: number };

type TRow = { count: number; lastFailureAt: number; isBlocked: boolean };

/** The expected outcome of a run: counters by key, answers, audit records by kind. */
class Model {
  rows = new Map<string, TRow>();
  statuses: number[] = [];
  logs = new Map<string, number>();

  constructor(
    private readonly policy: TBruteForceProtection,
    private readonly users: { email: string; username: string | null; password: string; blocked: boolean }[],
  ) {}

  private log(kind: string) {
    this.logs.set(kind, (this.logs.get(kind) ?? 0) + 1);
  }

  attempt(identifier: string, ipKey: string, password: string | null, now: number) {
    const isBlocking = this.policy.shields.includes("block");
    const normalized = identifier.trim().toLowerCase();
    const key = `${normalized}|${this.policy.mode === "count_per_identifier" ? "" : ipKey}`;
    const row = this.rows.get(key);
    const isExpired = !!row && row.lastFailureAt < now - BLOCK_LIFETIME_MS;
    if (isBlocking && row && !isExpired && row.count >= this.policy.max_attempts) {
      this.statuses.push(429);
      this.log("limit_wc refused");
      return;
    }
    const next: TRow =
      !row || isExpired
        ? { count: 1, lastFailureAt: now, isBlocked: false }
        : { ...row, count: row.count + 1, lastFailureAt: now };
    if (row?.isBlocked && isExpired) this.log("ublkdu");
    this.rows.set(key, next);
    const user = this.users.find(
      (u) => u.email === identifier.toLowerCase() || (u.username !== null && u.username === identifier),
    );
    if (user && password === user.password) {
      // The right password ends the guessing: both of the identifier's counters go.
      this.rows.delete(`${normalized}|${ipKey}`);
      this.rows.delete(`${normalized}|`);
      this.statuses.push(user.blocked ? 401 : 200);
      this.log(user.blocked ? "fepft" : "sepft");
      return;
    }
    this.statuses.push(403);
    this.log(user ? "fp" : "fu");
    if (next.count >= this.policy.max_attempts && !next.isBlocked) {
      next.isBlocked = true;
      this.log("limit_wc block");
    }
  }
}

/**
 * The fixture users' hashes checked by lookup instead of Argon2: this property is about counting, and hashing
 * every guess would make each run take seconds (the token-endpoint properties use the real hasher).
 */
async function lookupHasher(deps: TDeps, passwords: Map<string, string>): Promise<TPasswordHasher> {
  const byHash = new Map<string, string>();
  for (const u of await deps.db.all<{ email: string | null; passwordHash: string | null }>(
    `SELECT "email","passwordHash" FROM "User"`,
  )) {
    const pw = u.email ? passwords.get(u.email) : undefined;
    if (u.passwordHash && pw !== undefined) byHash.set(u.passwordHash, pw);
  }
  return {
    ...deps.hasher,
    verify: async (stored, password) => byHash.get(stored) === password,
    verifyDummy: async () => undefined,
    needsRehash: () => false,
  };
}

describe.each(testDatabaseKinds())("brute-force counters under random attempt sequences (%s)", (kind) => {
  const t = {} as { deps: TTestDeps; fx: TFixture };
  /** Two server processes over one database: their own connections and config caches, one clock and master key. */
  let processes: TDeps[];
  let second: TDeps | undefined;
  let identifiers: string[];
  let users: { email: string; username: string | null; password: string; blocked: boolean }[];
  let connectionId: string;

  beforeAll(async () => {
    const masterKey = randomBytes(32);
    t.deps = await createTestDeps(kind, { PORTCULLIS_MASTER_KEY: masterKey.toString("base64") });
    t.fx = await seedFixture(t.deps);
    second = await createDeps(t.deps.env, { clock: t.deps.clock, masterKey, log: t.deps.log });
    const { fx } = t;
    const { alice, bcrypt, blocked } = fx.users;
    users = [alice, bcrypt, blocked].map((u) => ({
      email: u.email,
      username: u.username,
      password: u.password,
      blocked: u === blocked,
    }));
    const passwords = new Map(users.map((u) => [u.email, u.password]));
    processes = [
      { ...t.deps, hasher: await lookupHasher(t.deps, passwords) },
      { ...second, hasher: await lookupHasher(second, passwords) },
    ];
    connectionId = fx.connections.database.id;
    identifiers = [
      alice.email,
      alice.email.toUpperCase(),
      ` ${alice.email}`,
      `${alice.email}\t`,
      "alice",
      "Alice",
      bcrypt.email,
      blocked.email,
      "ghost@example.com",
      "GHOST@example.com ",
    ];
  });
  afterAll(async () => {
    printOutcomes();
    await second?.close();
    await t.deps?.cleanup();
  });

  const step = (): fc.Arbitrary<TStep> =>
    fc.oneof(
      {
        weight: 8,
        arbitrary: fc.record({
          kind: fc.constant("attempt" as const),
          identifier: fc.nat(),
          isRightPassword: fc.boolean(),
          via: fc.constantFrom("socket" as const, "forwarded" as const, "untrusted" as const),
          ip: fc.nat({ max: IPS.length - 1 }),
          badForwarded: fc.option(fc.nat({ max: BAD_FORWARDED.length - 1 }), { freq: 6, nil: null }),
          process: fc.nat({ max: 1 }),
          copies: fc.oneof(
            { weight: 5, arbitrary: fc.constant(1) },
            { weight: 1, arbitrary: fc.integer({ min: 2, max: 5 }) },
          ),
          advanceMs: fc.constantFrom(0, 1000, 60_000),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant("wait" as const),
          ms: fc.constant(BLOCK_LIFETIME_MS + 3600_000),
        }),
      },
    );

  it("counters and audit records equal the model after any sequence of attempts", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          mode: fc.constantFrom("count_per_identifier_and_ip" as const, "count_per_identifier" as const),
          max_attempts: fc.integer({ min: 1, max: 4 }),
          isBlocking: fc.boolean(),
        }),
        fc.array(step(), { minLength: 1, maxLength: 16 }),
        async (p, steps) => {
          const policy: TBruteForceProtection = {
            ...DEFAULT_BRUTE_FORCE,
            mode: p.mode,
            max_attempts: p.max_attempts,
            shields: p.isBlocking ? ["block", "user_notification"] : ["user_notification"],
          };
          const deps = processes[0]!;
          await deps.db.transaction(async (q) => {
            await q.run(`DELETE FROM "LoginFailure"`, []);
            await q.run(`DELETE FROM "IpThrottle"`, []);
            await q.run(`DELETE FROM "LogEvent"`, []);
          });
          await writeStoredPolicy(deps.db, "bruteForceProtection", policy, deps.clock.now());
          for (const p of processes) p.config.clear();
          const model = new Model(policy, users);
          const statuses: number[] = [];
          const { web, spa } = t.fx.clients;

          for (const s of steps) {
            if (s.kind === "wait") {
              t.deps.clock.advance(s.ms);
              continue;
            }
            t.deps.clock.advance(s.advanceMs);
            const identifier = identifiers[s.identifier % identifiers.length]!;
            const user = users.find(
              (u) =>
                u.email === identifier.toLowerCase() || (u.username !== null && u.username === identifier),
            );
            const password = s.isRightPassword && user ? user.password : "wrong password!";
            const target = IPS[s.ip]!;
            const forwarded = s.badForwarded === null ? target.ip : BAD_FORWARDED[s.badForwarded]!;
            // Only the confidential client that trusts the header may set the end user's address, and only a
            // valid address counts; otherwise the caller's own address does.
            const ipKey =
              s.via === "socket"
                ? target.key
                : s.via === "forwarded" && s.badForwarded === null
                  ? target.key
                  : PROXY_IP;
            const client = s.via === "untrusted" ? spa : web;
            const make = () =>
              buildTokenRequest({
                params: passwordParams(client, { email: identifier, password }),
                socketIp: s.via === "socket" ? target.ip : PROXY_IP,
                ...(s.via === "socket" ? {} : { headers: { [FORWARDED_FOR_HEADER]: forwarded } }),
              });
            // Concurrent right passwords race with each other's reset (which one is refused is not defined), so
            // only wrong guesses come in bursts.
            const copies = s.isRightPassword ? 1 : s.copies;
            const answers = await Promise.all(
              Array.from({ length: copies }, (_, j) =>
                handleTokenRequest(make(), processes[(s.process + j) % processes.length]!),
              ),
            );
            for (const a of answers) {
              statuses.push(a.status);
              noteOutcome(`status ${a.status}`);
              await a.body?.cancel();
            }
            for (let i = 0; i < copies; i++)
              model.attempt(identifier, ipKey, password, t.deps.clock.now().getTime());
          }

          const rows = (
            await deps.db.all<{
              identifier: string;
              ip: string;
              count: number;
              lastFailureAt: string | Date;
              blockedAt: unknown;
            }>(
              `SELECT "identifier","ip","count","lastFailureAt","blockedAt" FROM "LoginFailure" WHERE "connectionId" = ?`,
              [connectionId],
            )
          ).map((r) => ({ ...r, count: Number(r.count), lastFailureAt: readDate(r.lastFailureAt) }));
          const actualRows = Object.fromEntries(
            rows.map((r) => [
              `${r.identifier}|${r.ip}`,
              { count: r.count, lastFailureAt: r.lastFailureAt.getTime(), isBlocked: r.blockedAt !== null },
            ]),
          );
          const logs = await deps.db.all<{ type: string; description: string | null }>(
            `SELECT "type","description" FROM "LogEvent"`,
          );
          const actualLogs = new Map<string, number>();
          for (const l of logs) {
            const k =
              l.type === "limit_wc"
                ? l.description?.startsWith("Blocked account")
                  ? "limit_wc block"
                  : "limit_wc refused"
                : l.type;
            actualLogs.set(k, (actualLogs.get(k) ?? 0) + 1);
          }
          expect(actualRows).toEqual(Object.fromEntries(model.rows));
          expect(Object.fromEntries(actualLogs)).toEqual(Object.fromEntries(model.logs));
          expect([...statuses].sort()).toEqual([...model.statuses].sort());
        },
      ),
      fuzzRuns(100),
    );
  }, 180_000);
});
