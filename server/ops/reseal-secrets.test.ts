import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { seedFixture, type TFixture } from "../testing/fixtures.ts";
import { callToken, passwordParams } from "../testing/token-calls.ts";
import { storedUser } from "../testing/stored-rows.ts";
import { sealV1 } from "../testing/legacy-seal.ts";
import { openRawSql } from "../store/raw-sql.ts";
import { insertAdmin, setAdminTotpSecret } from "../store/admin-users.ts";
import { insertAuthenticator } from "../store/mfa-authenticators.ts";
import {
  SEALED_COLUMN_NAMES,
  listSealedValues,
  replaceSealedValue,
  type TSealedColumn,
} from "../store/sealed-secrets.ts";
import { createDeps } from "../config/deps.ts";
import { createMfaToken, readMfaToken } from "../mfa/mfa-token.ts";
import { InvalidGrant } from "../oauth/core/errors.ts";
import type { TSealPurpose } from "../crypto/secret-box.ts";
import { resealSecrets } from "./reseal-secrets.ts";
import { deleteRuleSetting, upsertRuleSetting } from "../store/rule-settings.ts";

const PURPOSE: Record<TSealedColumn, TSealPurpose> = {
  clientSecret: "client-secret",
  apiSigningSecret: "api-signing-secret",
  signingKey: "signing-key",
  adminTotpSeed: "admin-totp-seed",
  userTotpSeed: "user-totp-seed",
  ruleSetting: "rule-setting",
};

describe.each(testDatabaseKinds())("re-seal of v1 secrets at start (%s)", (kind) => {
  const masterKey = randomBytes(32);
  let deps: TTestDeps;
  let fx: TFixture;
  /** Plaintext of every sealed value, by column and row key. */
  const plain = new Map<string, string>();
  let v1Count = 0;

  const all = async (c: TSealedColumn, prefix: string) => listSealedValues(deps.db, c, prefix, "", 10_000);

  /** A database as an older build left it: every sealed value in the v1 format. */
  async function downgradeToV1(): Promise<void> {
    for (const c of SEALED_COLUMN_NAMES) {
      for (const row of await all(c, "v2.")) {
        const text = deps.box.open(PURPOSE[c], row.value);
        plain.set(`${c}:${row.key}`, text);
        expect(await replaceSealedValue(deps.db, c, row.key, row.value, sealV1(masterKey, text))).toBe(true);
        v1Count++;
      }
    }
  }

  beforeAll(async () => {
    deps = await createTestDeps(kind, { PORTCULLIS_MASTER_KEY: masterKey.toString("base64") });
    fx = await seedFixture(deps);
    // One row in every sealed column: client secrets and the HS256 API come with the fixture.
    await deps.keys.current();
    const admin = await insertAdmin(
      deps.db,
      { email: "ops@example.com", passwordHash: "x", role: "owner" },
      deps.clock.now(),
    );
    await setAdminTotpSecret(
      deps.db,
      admin.id,
      deps.box.seal("admin-totp-seed", "ADMINSEEDADMINSEED"),
      null,
      deps.clock.now(),
    );
    const user = await storedUser(deps, fx.users.alice.userId);
    await insertAuthenticator(deps.db, {
      id: "auth-1",
      publicId: "totp|dev_reseal1",
      userId: user.id,
      type: "otp",
      secretEnc: deps.box.seal("user-totp-seed", "USERSEEDUSERSEED"),
      codeHash: null,
      active: true,
      createdAt: new Date(),
    });
    await upsertRuleSetting(
      deps.db,
      "PLAN_KEY",
      deps.box.seal("rule-setting", "enterprise"),
      deps.clock.now(),
    );
    await downgradeToV1();
  });
  afterAll(async () => {
    await deps?.cleanup();
  });

  it("every column holds a v1 value before", async () => {
    for (const c of SEALED_COLUMN_NAMES) expect((await all(c, "v1.")).length, c).toBeGreaterThan(0);
  });

  it("v1 values keep opening for their purpose before the re-seal", () => {
    expect(deps.box.open("rule-setting", sealV1(masterKey, "x"))).toBe("x");
  });

  it("several processes starting at once re-seal each value exactly once, transactionally", async () => {
    // A v1 value under another master key (a restored backup, say) must be left alone, not lost.
    const foreign = sealV1(randomBytes(32), "not ours");
    await upsertRuleSetting(deps.db, "FOREIGN", foreign, deps.clock.now());
    const runners = await Promise.all(
      [1, 2, 3].map(async () => ({
        db: await openRawSql({ DATABASE_URL: deps.env.DATABASE_URL }),
        box: deps.box,
        log: deps.log,
      })),
    );
    try {
      const results = await Promise.all(runners.map((r) => resealSecrets(r)));
      const total = results.flatMap((r) => Object.values(r.resealed)).reduce((a, b) => a + b, 0);
      expect(total).toBe(v1Count);
      expect(results.map((r) => r.unreadable)).toEqual([1, 1, 1]);
    } finally {
      for (const r of runners) await r.db.close();
    }
    for (const c of SEALED_COLUMN_NAMES) {
      const left = await all(c, "v1.");
      expect(
        left.map((r) => r.value),
        c,
      ).toEqual(c === "ruleSetting" ? [foreign] : []);
      for (const row of await all(c, "v2.")) {
        expect(deps.box.open(PURPOSE[c], row.value), `${c}:${row.key}`).toBe(plain.get(`${c}:${row.key}`));
      }
    }
    // Rules would fail to load with a setting that does not open (as before this change).
    expect(await deleteRuleSetting(deps.db, "FOREIGN")).toBe(true);
  });

  it("is idempotent: a second start rewrites nothing", async () => {
    const before = await Promise.all(SEALED_COLUMN_NAMES.map((c) => all(c, "")));
    const again = await resealSecrets(deps);
    expect(again.resealed).toEqual({});
    expect(await Promise.all(SEALED_COLUMN_NAMES.map((c) => all(c, "")))).toEqual(before);
  });

  it("a server started on the re-sealed database signs with the same key and opens the HS256 API secret", async () => {
    const fresh = await createDeps(deps.env, { masterKey, clock: deps.clock });
    try {
      expect((await fresh.keys.current()).kid).toBe((await deps.keys.current()).kid);
      const res = await callToken(fresh, {
        params: passwordParams(fx.clients.web, fx.users.alice, {
          audience: fx.apis.legacy.identifier,
        }),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    } finally {
      await fresh.close();
    }
  });

  it("a v1 mfa_token is refused (never valid at rest); a v2 one opens", () => {
    const claims = {
      userId: "u1",
      clientId: fx.clients.web.clientId,
      audience: null,
      scope: ["openid"],
      connection: "database",
    };
    const now = deps.clock.now();
    const v2 = createMfaToken(deps, claims, now);
    expect(readMfaToken(deps, v2, null, now).userId).toBe("u1");
    const v1 = sealV1(
      masterKey,
      JSON.stringify({ typ: "mfa_token", jti: "j", ...claims, expiresAt: now.getTime() + 60_000 }),
    );
    expect(() => readMfaToken(deps, v1, null, now)).toThrow(InvalidGrant);
  });
});
