import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generate } from "otplib";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import {
  ADMIN_LOCK_MS,
  confirmAdminTotpEnrollment,
  createAdminAccount,
  ensureFirstAdmin,
  startAdminTotpEnrollment,
  verifyAdminSignIn,
} from "./accounts.ts";
import { findAdminByEmail } from "../store/admin-users.ts";

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
    await expect(createAdminAccount(deps, { email: "x@y.z", role: "root" })).rejects.toThrow(/Unknown role/);
    await expect(createAdminAccount(deps, { email: "nope", role: "viewer" })).rejects.toThrow(/e-mail/);
    await expect(
      createAdminAccount(deps, { email: "x@y.z", role: "viewer", password: "short" }),
    ).rejects.toThrow(/12/);
    await createAdminAccount(deps, { email: "dup@y.z", role: "viewer", password: "long-enough-pass" });
    await expect(
      createAdminAccount(deps, { email: "DUP@y.z", role: "viewer", password: "long-enough-pass" }),
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
    await createAdminAccount(deps, { email: "lock@y.z", role: "security", password: "the-right-password" });
    for (let i = 0; i < 5; i++) await verifyAdminSignIn(deps, "lock@y.z", "wrong-password!");
    expect(await verifyAdminSignIn(deps, "lock@y.z", "the-right-password")).toEqual({
      ok: false,
      reason: "invalid",
    });
    deps.clock.advance(ADMIN_LOCK_MS + 1000);
    expect((await verifyAdminSignIn(deps, "lock@y.z", "the-right-password")).ok).toBe(true);
  });

  it("TOTP: enrolment needs a valid code; afterwards sign-in needs one and a code cannot be replayed", async () => {
    await createAdminAccount(deps, { email: "totp@y.z", role: "admin", password: "totp-user-password" });
    const admin = (await findAdminByEmail(deps.db, "totp@y.z"))!;
    const { secret, otpauthUri } = await startAdminTotpEnrollment(deps, admin.id);
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/Portcullis:totp%40y\.z\?/);
    expect((await findAdminByEmail(deps.db, "totp@y.z"))!.totpSecretEnc).not.toContain(secret);
    // Pending enrolment does not yet require a code.
    expect((await verifyAdminSignIn(deps, "totp@y.z", "totp-user-password")).ok).toBe(true);
    expect(await confirmAdminTotpEnrollment(deps, admin.id, "000000")).toBe(false);
    const epoch = () => Math.floor(deps.clock.now().getTime() / 1000);
    expect(await confirmAdminTotpEnrollment(deps, admin.id, await generate({ secret, epoch: epoch() }))).toBe(
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
