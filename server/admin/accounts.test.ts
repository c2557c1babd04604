import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { generate } from "otplib";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { createDeps, type TDeps } from "../config/deps.ts";
import {
  ADMIN_LOCK_MS,
  ADMIN_LOCK_THRESHOLD,
  confirmAdminTotpEnrollment,
  createAdminAccount,
  ensureFirstAdmin,
  startAdminTotpEnrollment,
  verifyAdminSignIn,
} from "./accounts.ts";
import { findAdminByEmail } from "../store/admin-users.ts";
import { CLI_ACTOR } from "./audit.ts";

describe.each(testDatabaseKinds())("admin accounts (%s)", (kind) => {
  let deps: TTestDeps;
  beforeAll(async () => {
    deps = await createTestDeps(kind);
  });
  afterAll(async () => deps.cleanup());

  it("creates the first owner once, with a generated password that signs in", async () => {
    const first = await ensureFirstAdmin(deps);
    expect(first?.email).toBe("admin@portcullis.local");
    expect(first?.password).toBeTruthy();
    expect(await ensureFirstAdmin(deps)).toBeNull();
    const r = await verifyAdminSignIn(deps, "ADMIN@portcullis.local", first!.password!);
    expect(r).toMatchObject({ ok: true, admin: { role: "owner" } });
    const stored = await findAdminByEmail(deps.db, "admin@portcullis.local");
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it("refuses unknown roles, bad e-mails, short passwords and duplicates", async () => {
    await expect(createAdminAccount(deps, CLI_ACTOR, { email: "x@y.z", role: "root" })).rejects.toThrow(
      /Unknown role/,
    );
    await expect(createAdminAccount(deps, CLI_ACTOR, { email: "nope", role: "viewer" })).rejects.toThrow(
      /e-mail/,
    );
    await expect(
      createAdminAccount(deps, CLI_ACTOR, { email: "x@y.z", role: "viewer", password: "short" }),
    ).rejects.toThrow(/12/);
    await createAdminAccount(deps, CLI_ACTOR, {
      email: "dup@y.z",
      role: "viewer",
      password: "long-enough-pass",
    });
    await expect(
      createAdminAccount(deps, CLI_ACTOR, { email: "DUP@y.z", role: "viewer", password: "long-enough-pass" }),
    ).rejects.toThrow(/exists/);
  });

  it("answers a wrong password and an unknown e-mail the same way, and runs a hash for the unknown one", async () => {
    let dummies = 0;
    const original = deps.hasher.verifyDummy;
    deps.hasher.verifyDummy = async (p) => {
      dummies++;
      return original(p);
    };
    try {
      expect(await verifyAdminSignIn(deps, "dup@y.z", "wrong-password!")).toEqual({
        ok: false,
        reason: "invalid",
      });
      expect(await verifyAdminSignIn(deps, "ghost@y.z", "wrong-password!")).toEqual({
        ok: false,
        reason: "invalid",
      });
      expect(dummies).toBe(1);
    } finally {
      deps.hasher.verifyDummy = original;
    }
  });

  it("locks after five consecutive failures, even for the right password, until the lock expires", async () => {
    await createAdminAccount(deps, CLI_ACTOR, {
      email: "lock@y.z",
      role: "security",
      password: "the-right-password",
    });
    for (let i = 0; i < 5; i++) await verifyAdminSignIn(deps, "lock@y.z", "wrong-password!");
    expect(await verifyAdminSignIn(deps, "lock@y.z", "the-right-password")).toEqual({
      ok: false,
      reason: "invalid",
    });
    deps.clock.advance(ADMIN_LOCK_MS + 1000);
    expect((await verifyAdminSignIn(deps, "lock@y.z", "the-right-password")).ok).toBe(true);
  });

  it("TOTP: enrolment needs a valid code; afterwards sign-in needs one and a code cannot be replayed", async () => {
    await createAdminAccount(deps, CLI_ACTOR, {
      email: "totp@y.z",
      role: "admin",
      password: "totp-user-password",
    });
    const { id, email } = (await findAdminByEmail(deps.db, "totp@y.z"))!;
    const admin = { id, email, role: "admin" } as const;
    const { secret, otpauthUri } = await startAdminTotpEnrollment(deps, admin);
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/Portcullis:totp%40y\.z\?/);
    expect((await findAdminByEmail(deps.db, "totp@y.z"))!.totpSecretEnc).not.toContain(secret);
    // Pending enrolment does not yet require a code.
    expect((await verifyAdminSignIn(deps, "totp@y.z", "totp-user-password")).ok).toBe(true);
    expect(await confirmAdminTotpEnrollment(deps, admin, "000000")).toBe(false);
    const epoch = () => Math.floor(deps.clock.now().getTime() / 1000);
    expect(await confirmAdminTotpEnrollment(deps, admin, await generate({ secret, epoch: epoch() }))).toBe(
      true,
    );

    expect(await verifyAdminSignIn(deps, "totp@y.z", "totp-user-password")).toEqual({
      ok: false,
      reason: "otp_required",
    });
    deps.clock.advance(30_000);
    const code = await generate({ secret, epoch: epoch() });
    expect((await verifyAdminSignIn(deps, "totp@y.z", "totp-user-password", code)).ok).toBe(true);
    expect(await verifyAdminSignIn(deps, "totp@y.z", "totp-user-password", code)).toEqual({
      ok: false,
      reason: "otp_invalid",
    });
    deps.clock.advance(5 * 60_000);
    expect(await verifyAdminSignIn(deps, "totp@y.z", "totp-user-password", code)).toEqual({
      ok: false,
      reason: "otp_invalid",
    });
  });
});

/**
 * Count the hashes of `processes` and hold every password check until `release()`, so all attempts are in flight at
 * once. Dummy hashes (unknown or locked accounts) are counted and skipped.
 */
function holdHashes(processes: TDeps[]) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const counts = { verify: 0, dummy: 0 };
  const restore = processes.map((d) => {
    const { verify, verifyDummy } = d.hasher;
    d.hasher.verify = async (stored, password) => {
      counts.verify++;
      await gate;
      return verify(stored, password);
    };
    d.hasher.verifyDummy = async () => {
      counts.dummy++;
    };
    return () => Object.assign(d.hasher, { verify, verifyDummy });
  });
  return {
    counts,
    release,
    restore: () => restore.forEach((r) => r()),
    /** Resolves once `n` attempts have reached their hash. */
    reached: (n: number) =>
      vi.waitFor(() => expect(counts.verify + counts.dummy).toBe(n), { timeout: 20_000 }),
  };
}

// Two dependency graphs on one database stand for two server processes: the lock must hold across them.
describe.each(testDatabaseKinds())("admin sign-in under concurrent guessing (%s)", (kind) => {
  let deps: TTestDeps;
  let other: TDeps;
  beforeAll(async () => {
    deps = await createTestDeps(kind, { PORTCULLIS_MASTER_KEY: randomBytes(32).toString("base64") });
    other = await createDeps(deps.env, { clock: deps.clock });
  });
  afterAll(async () => {
    await other?.close();
    await deps?.cleanup();
  });

  it("40 wrong passwords in flight and then the right one: no sign-in, exactly `limit` password checks", async () => {
    await createAdminAccount(deps, CLI_ACTOR, {
      email: "race@y.z",
      role: "owner",
      password: "the-right-password",
    });
    const hashes = holdHashes([deps, other]);
    try {
      const wrong = Array.from({ length: 40 }, (_, i) =>
        verifyAdminSignIn(i % 2 ? other : deps, "race@y.z", `wrong-password-${i}`),
      );
      await hashes.reached(40);
      const right = verifyAdminSignIn(other, "RACE@y.z", "the-right-password");
      await hashes.reached(41);
      hashes.release();
      const results = await Promise.all([...wrong, right]);
      expect(results.filter((r) => r.ok)).toEqual([]);
      expect(new Set(results.map((r) => JSON.stringify(r)))).toEqual(
        new Set([JSON.stringify({ ok: false, reason: "invalid" })]),
      );
      expect(hashes.counts).toEqual({ verify: ADMIN_LOCK_THRESHOLD, dummy: 41 - ADMIN_LOCK_THRESHOLD });
    } finally {
      hashes.restore();
    }
    // Still locked for the right password; open again once the lock has run out.
    expect((await verifyAdminSignIn(deps, "race@y.z", "the-right-password")).ok).toBe(false);
    deps.clock.advance(ADMIN_LOCK_MS);
    expect((await verifyAdminSignIn(other, "race@y.z", "the-right-password")).ok).toBe(true);
  });

  it("40 wrong TOTP codes in flight with the right password, then the right code: no sign-in", async () => {
    await createAdminAccount(deps, CLI_ACTOR, {
      email: "otp-race@y.z",
      role: "owner",
      password: "otp-race-password",
    });
    const { id, email } = (await findAdminByEmail(deps.db, "otp-race@y.z"))!;
    const admin = { id, email, role: "owner" } as const;
    const { secret } = await startAdminTotpEnrollment(deps, admin);
    const epoch = () => Math.floor(deps.clock.now().getTime() / 1000);
    expect(await confirmAdminTotpEnrollment(deps, admin, await generate({ secret, epoch: epoch() }))).toBe(
      true,
    );
    deps.clock.advance(60_000);
    const valid = new Set(
      await Promise.all([-30, 0, 30].map((d) => generate({ secret, epoch: epoch() + d }))),
    );
    const guesses: string[] = [];
    for (let n = 0; guesses.length < 40; n++) {
      const code = String((n * 24_989) % 1_000_000).padStart(6, "0");
      if (!valid.has(code)) guesses.push(code);
    }
    const hashes = holdHashes([deps, other]);
    try {
      const wrong = guesses.map((code, i) =>
        verifyAdminSignIn(i % 2 ? other : deps, "otp-race@y.z", "otp-race-password", code),
      );
      await hashes.reached(40);
      const code = await generate({ secret, epoch: epoch() });
      const right = verifyAdminSignIn(deps, "otp-race@y.z", "otp-race-password", code);
      await hashes.reached(41);
      hashes.release();
      const results = await Promise.all([...wrong, right]);
      expect(results.filter((r) => r.ok)).toEqual([]);
      expect(results.filter((r) => !r.ok && r.reason === "otp_invalid")).toHaveLength(ADMIN_LOCK_THRESHOLD);
      expect(hashes.counts).toEqual({ verify: ADMIN_LOCK_THRESHOLD, dummy: 41 - ADMIN_LOCK_THRESHOLD });
      // The lock answers like a wrong password, not like a wrong code.
      expect(results.at(-1)).toEqual({ ok: false, reason: "invalid" });
    } finally {
      hashes.restore();
    }
  });
});
