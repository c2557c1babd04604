import { hash as argon2Hash } from "@node-rs/argon2";
import { hash as bcryptHash, verify as bcryptVerify } from "@node-rs/bcrypt";
import { describe, expect, it, vi } from "vitest";
import { createPasswordHasher } from "./passwords.ts";
import { useSeededDeps } from "../testing/use-deps.ts";
import { createFixtureUser } from "../testing/fixtures.ts";
import { buildTokenRequest, passwordParams } from "../testing/token-calls.ts";
import { handleTokenRequest } from "../oauth/token-endpoint.ts";
import { listPasswordHashKinds, updateUserProfile } from "../store/users.ts";
import { testDatabaseKinds } from "../testing/test-deps.ts";
import { MFA_GRANT_TYPES } from "../mfa/require-mfa.ts";
import { updateTenant } from "../store/tenant.ts";
import { createDeps } from "../config/deps.ts";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { updateClient } from "../store/clients.ts";

// Issue 13 item 5: an unknown user must take as long as a wrong password, whatever kind of hash the known user
// has. These tests time many attempts and compare medians; they do not assert absolute times. The machine is
// shared and noisy, so: samples are interleaved (A B, B A, A B, …) so drift hits both sides alike, the median
// ignores the odd descheduled sample, and the claim is relative (within 10 %).

const CURRENT = { memoryKiB: 12288, iterations: 3, parallelism: 1 };
const WRONG = "not-the-password";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median times (ms) of `a` and `b` over `rounds` interleaved samples each. */
async function interleavedMedians(
  rounds: number,
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
): Promise<{ a: number; b: number }> {
  const ta: number[] = [];
  const tb: number[] = [];
  const time = async (fn: () => Promise<unknown>, into: number[]) => {
    const t0 = performance.now();
    await fn();
    into.push(performance.now() - t0);
  };
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      await time(a, ta);
      await time(b, tb);
    } else {
      await time(b, tb);
      await time(a, ta);
    }
  }
  return { a: median(ta), b: median(tb) };
}

/** max/min − 1 of two medians. */
const spread = (m: { a: number; b: number }) => Math.max(m.a, m.b) / Math.min(m.a, m.b) - 1;

describe("password failure timing (unknown user vs wrong password)", () => {
  // Every kind a tenant may hold: Argon2id at the current parameters, Argon2 made elsewhere (costlier and
  // cheaper, another variant), bcrypt imports from the cheapest cost to a common high one. "Any cost" follows
  // from the structure (the floor is measured from the kinds stored, not configured), so cost 12 stands for the
  // expensive end.
  const kinds: { name: string; make: () => Promise<string>; rounds: number }[] = [
    {
      name: "argon2id, current parameters",
      make: () => argon2Hash("pw", { memoryCost: 12288, timeCost: 3 }),
      rounds: 31,
    },
    {
      name: "argon2id m=64MiB t=2",
      make: () => argon2Hash("pw", { memoryCost: 65536, timeCost: 2 }),
      rounds: 31,
    },
    {
      name: "argon2i m=8MiB t=1",
      make: () => argon2Hash("pw", { algorithm: 1, memoryCost: 8192, timeCost: 1 }),
      rounds: 31,
    },
    { name: "bcrypt cost 4", make: () => bcryptHash("pw", 4), rounds: 31 },
    { name: "bcrypt cost 10", make: () => bcryptHash("pw", 10), rounds: 31 },
    { name: "bcrypt cost 12", make: () => bcryptHash("pw", 12), rounds: 21 },
  ];

  it("medians within 10 % for every stored hash kind, from the first attempt after start-up", async () => {
    const results: { kind: string; unknownMs: number; wrongMs: number; spread: number }[] = [];
    for (const k of kinds) {
      const stored = await k.make();
      // A fresh process whose database holds users with this kind of hash: createDeps hands the stored kinds
      // to the hasher at start (the same call), so there is no warm-up.
      const hasher = createPasswordHasher(CURRENT, 1);
      await hasher.learnStoredHashKinds([stored]);
      const measure = (rounds: number) =>
        interleavedMedians(
          rounds,
          () => hasher.verifyDummy(WRONG),
          () => hasher.verify(stored, WRONG),
        );
      let m = await measure(k.rounds);
      // A burst of load from another process can push one kind past 10 % (seen once, 10.4 % for a 12 ms hash,
      // in CI with two suites on two cores): measure that kind once more, twice as long. A real difference, like
      // the 7 ms against 54 ms this test was written for, fails both times.
      if (spread(m) >= 0.1) m = await measure(2 * k.rounds);
      results.push({ kind: k.name, unknownMs: m.a, wrongMs: m.b, spread: spread(m) });
    }
    const off = results.filter((r) => r.spread >= 0.1);
    expect(off, JSON.stringify(results, null, 1)).toEqual([]);
  }, 180_000);

  it("a right password is never padded to the floor", async () => {
    const hasher = createPasswordHasher(CURRENT, 1);
    const slow = await bcryptHash("pw", 10);
    await hasher.learnStoredHashKinds([slow]);
    const fast = await hasher.hash("pw");
    expect(hasher.failureFloorMs()).toBeGreaterThan(0);
    const m = await interleavedMedians(
      9,
      () => hasher.verify(fast, "pw"),
      () => hasher.verify(fast, WRONG),
    );
    // The right password costs one current-parameter verification, the wrong one the bcrypt floor (≈ 6×).
    expect(m.a * 2).toBeLessThan(m.b);
  });
});

describe.each(testDatabaseKinds())("stored hash kinds, read at start (%s)", (kind) => {
  const t = useSeededDeps(kind);

  it("lists each algorithm-and-cost prefix once, without salt or digest", async () => {
    await createFixtureUser(t.deps, t.fx, {
      connection: "database",
      password: "second-bcrypt",
      isBcrypt: true,
    });
    const kinds = await listPasswordHashKinds(t.deps.db);
    expect(kinds.sort()).toEqual([
      expect.stringMatching(/^\$2[aby]\$10\$$/),
      "$argon2id$v=19$m=12288,t=3,p=1$",
    ]);
  });

  it("a server started on that database covers the costliest kind before anyone's first guess", async () => {
    const slow = await bcryptHash("pw", 12);
    await updateUserProfile(t.deps.db, t.fx.users.bcrypt.id, { passwordHash: slow }, t.deps.clock.now());
    const fresh = await createDeps(t.deps.env, { clock: t.deps.clock, masterKey: randomBytes(32) });
    try {
      // Covered means a floor of the order of a bcrypt-12 verify (≈ 25× an Argon2id one at current parameters).
      // Both are measured on this machine now, so load slows them alike; half a verify leaves room for noise.
      const bcrypt12Ms = async () => {
        const t0 = performance.now();
        await bcryptVerify(WRONG, slow);
        return performance.now() - t0;
      };
      const deadline = Date.now() + 30_000;
      let wanted = median([await bcrypt12Ms(), await bcrypt12Ms(), await bcrypt12Ms()]) / 2;
      while (fresh.hasher.failureFloorMs() < wanted && Date.now() < deadline) {
        await sleep(50);
        wanted = Math.min(wanted, (await bcrypt12Ms()) / 2);
      }
      expect(fresh.hasher.failureFloorMs()).toBeGreaterThanOrEqual(wanted);
    } finally {
      await fresh.close();
    }
  }, 60_000);
});

describe("token endpoint: an unknown user answers like a wrong password for argon2 and bcrypt users", () => {
  const t = useSeededDeps("sqlite");
  let ip = 0;
  /** Each attempt from its own address, so brute-force protection and IP throttling stay out of the timing. */
  async function attempt(email: string): Promise<void> {
    const n = ++ip;
    const res = await handleTokenRequest(
      buildTokenRequest({
        params: passwordParams(t.fx.clients.web, { email, password: WRONG }),
        socketIp: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
      }),
      t.deps,
    );
    expect(res.status).toBe(403);
  }

  it("medians within 10 %", async () => {
    // What createDeps does at start; the fixture's users were inserted after these deps were built.
    await t.deps.hasher.learnStoredHashKinds(await listPasswordHashKinds(t.deps.db));
    for (const user of [t.fx.users.alice, t.fx.users.bcrypt]) {
      const measure = (rounds: number) =>
        interleavedMedians(
          rounds,
          () => attempt("nobody-here@example.com"),
          () => attempt(user.email),
        );
      let m = await measure(21);
      // As above: one longer second look when a burst of load from elsewhere pushed it past 10 %.
      if (spread(m) >= 0.1) m = await measure(42);
      expect(
        spread(m),
        `${user.email}: unknown ${m.a.toFixed(1)} ms, wrong ${m.b.toFixed(1)} ms`,
      ).toBeLessThan(0.1);
    }
  }, 120_000);
});

describe("re-hash of an imported hash", () => {
  const t = useSeededDeps("sqlite");

  it("a refusal after the right password (mfa_required) does not wait for it", async () => {
    await updateClient(
      t.deps.db,
      t.fx.clients.web.clientId,
      {
        grantTypes: ["password", "refresh_token", ...MFA_GRANT_TYPES],
      },
      t.deps.clock.now(),
    );
    await updateTenant(t.deps.db, { mfaPolicy: "always" }, t.deps.clock.now());
    t.deps.config.clear();
    const hash = vi.spyOn(t.deps.hasher, "hash");
    try {
      const res = await handleTokenRequest(
        buildTokenRequest({ params: passwordParams(t.fx.clients.web, t.fx.users.bcrypt) }),
        t.deps,
      );
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: string }).error).toBe("mfa_required");
      // Hashing here would make this answer ≈ one Argon2 hash slower for imported users than for others.
      expect(hash).not.toHaveBeenCalled();
    } finally {
      hash.mockRestore();
    }
  });
});
