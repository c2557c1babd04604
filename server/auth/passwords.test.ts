import { hashSync as bcryptHashSync } from "@node-rs/bcrypt";
import { hash as argon2Hash } from "@node-rs/argon2";
import { describe, expect, it } from "vitest";
import { createPasswordHasher } from "./passwords.ts";

const hasher = createPasswordHasher({ memoryKiB: 12288, iterations: 3, parallelism: 1 });

describe("password hasher", () => {
  it("hashes with Argon2id at the configured parameters and verifies", async () => {
    const h = await hasher.hash("correct horse");
    expect(h).toMatch(/^\$argon2id\$v=19\$m=12288,t=3,p=1\$/);
    expect(await hasher.verify(h, "correct horse")).toBe(true);
    expect(await hasher.verify(h, "wrong horse")).toBe(false);
    expect(hasher.needsRehash(h)).toBe(false);
  });

  it("verifies imported bcrypt hashes ($2a$, $2b$, $2y$) and marks them for re-hashing", async () => {
    const b = bcryptHashSync("imported-pass", 10);
    for (const prefix of ["$2a$", "$2b$", "$2y$"]) {
      const variant = prefix + b.slice(4);
      expect(await hasher.verify(variant, "imported-pass")).toBe(true);
      expect(await hasher.verify(variant, "imported-pasS")).toBe(false);
      expect(hasher.needsRehash(variant)).toBe(true);
    }
  });

  it("verifies Argon2 hashes made elsewhere with other parameters and asks to upgrade them", async () => {
    const other = await argon2Hash("pw", { memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(await hasher.verify(other, "pw")).toBe(true);
    expect(hasher.needsRehash(other)).toBe(true);
  });

  it("never verifies unknown or malformed formats", async () => {
    expect(await hasher.verify("plaintext", "plaintext")).toBe(false);
    expect(await hasher.verify("$argon2id$v=19$m=12288,t=3,p=1$bad", "x")).toBe(false);
    expect(await hasher.verify("$1$md5crypt$abc", "x")).toBe(false);
  });

  it("the dummy verification for unknown users resolves without throwing", async () => {
    await expect(hasher.verifyDummy("whatever")).resolves.toBeUndefined();
  });
});
