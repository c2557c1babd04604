import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalJWKSet, jwtVerify } from "jose";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { signAccessToken, verifyAccessToken } from "./tokens.ts";

describe.each(testDatabaseKinds())("signing keys (%s)", (kind) => {
  let deps: TTestDeps;
  beforeAll(async () => {
    deps = await createTestDeps(kind);
  });
  afterAll(async () => deps.cleanup());

  const sign = () =>
    signAccessToken(deps.keys, {
      issuer: deps.env.issuer,
      subject: "auth0|1",
      audience: `${deps.env.issuer}userinfo`,
      clientId: "c",
      scope: ["openid"],
      gty: "password",
      lifetimeSeconds: 60,
      now: deps.clock.now(),
    });

  it("creates a key on first use, stores the private half sealed, and publishes a kid", async () => {
    const jwks = await deps.keys.jwks();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig" });
    expect(jwks.keys[0]).not.toHaveProperty("d");
    const rows = await deps.db.all<{ privateKeyEnc: string }>(`SELECT "privateKeyEnc" FROM "SigningKey"`);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.privateKeyEnc).not.toContain("PRIVATE KEY");
  });

  it("after rotation, new tokens use the new kid and old tokens still verify", async () => {
    const oldToken = await sign();
    const newKid = await deps.keys.rotate();
    const newToken = await sign();
    const jwks = await deps.keys.jwks();
    expect(jwks.keys.map((k) => k.kid)).toContain(newKid);
    expect(jwks.keys).toHaveLength(2);
    const set = createLocalJWKSet(jwks);
    for (const t of [oldToken, newToken]) {
      await expect(
        jwtVerify(t, set, { issuer: deps.env.issuer, currentDate: deps.clock.now() }),
      ).resolves.toBeTruthy();
      await expect(
        verifyAccessToken(deps.keys, t, { issuer: deps.env.issuer, now: deps.clock.now() }),
      ).resolves.toBeTruthy();
    }
    expect(JSON.parse(Buffer.from(newToken.split(".")[0]!, "base64url").toString()).kid).toBe(newKid);
  });

  it("rejects an expired token by the injected clock", async () => {
    const t = await sign();
    deps.clock.advance(120_000);
    await expect(
      verifyAccessToken(deps.keys, t, { issuer: deps.env.issuer, now: deps.clock.now() }),
    ).rejects.toThrow();
  });
});
