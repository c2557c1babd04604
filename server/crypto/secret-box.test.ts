import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSecretBox, SEAL_PURPOSES } from "./secret-box.ts";
import { sealV1 } from "../testing/legacy-seal.ts";

/** Flip one bit of part `i` (0 version, 1 iv, 2 tag, 3 ciphertext) of a sealed value. */
function flip(sealed: string, i: number): string {
  const parts = sealed.split(".");
  const b = Buffer.from(parts[i]!, "base64url");
  b[0] = b[0]! ^ 1;
  parts[i] = b.toString("base64url");
  return parts.join(".");
}

describe("secret box", () => {
  const key = randomBytes(32);
  const box = createSecretBox(key);

  it("round-trips in the v2 format and never stores the plaintext", () => {
    const sealed = box.seal("client-secret", "client-secret-value");
    expect(sealed).toMatch(/^v2\./);
    expect(sealed).not.toContain("client-secret-value");
    expect(box.open("client-secret", sealed)).toBe("client-secret-value");
    expect(box.isLegacy(sealed)).toBe(false);
  });

  it("uses a fresh IV each time", () => {
    expect(box.seal("rule-setting", "x")).not.toBe(box.seal("rule-setting", "x"));
  });

  it("a value sealed for one purpose opens for no other", () => {
    for (const sealedFor of SEAL_PURPOSES) {
      const sealed = box.seal(sealedFor, `{"typ":"mfa_token","for":"${sealedFor}"}`);
      for (const openedAs of SEAL_PURPOSES) {
        if (openedAs === sealedFor) expect(box.open(openedAs, sealed)).toContain(sealedFor);
        else expect(() => box.open(openedAs, sealed), `${sealedFor} as ${openedAs}`).toThrow();
      }
    }
  });

  it("per-purpose subkeys: the master key itself does not open a v2 value", () => {
    const sealed = box.seal("signing-key", "pem");
    expect(sealed).toMatch(/^v2\./);
    const asV1 = "v1." + sealed.slice(3);
    expect(() => box.open("signing-key", asV1)).toThrow();
  });

  it("v1 values at rest still open (and are marked legacy); a v1 mfa_token never does", () => {
    const v1 = sealV1(key, "JBSWY3DPEHPK3PXP");
    expect(box.isLegacy(v1)).toBe(true);
    for (const p of SEAL_PURPOSES.filter((p) => p !== "mfa-token"))
      expect(box.open(p, v1)).toBe("JBSWY3DPEHPK3PXP");
    expect(() => box.open("mfa-token", sealV1(key, '{"typ":"mfa_token"}'))).toThrow();
  });

  it("rejects tampering with any part, a version swap, and a different master key", () => {
    const sealed = box.seal("user-totp-seed", "secret");
    expect(box.open("user-totp-seed", sealed)).toBe("secret");
    for (const i of [1, 2, 3]) expect(() => box.open("user-totp-seed", flip(sealed, i))).toThrow();
    expect(() => box.open("user-totp-seed", sealed.replace(/^v2/, "v3"))).toThrow();
    expect(() => box.open("user-totp-seed", sealed + ".x")).toThrow();
    // Other spellings of the same bytes: base64url decoding would skip stray characters and spare bits.
    for (const respelled of [sealed + " ", sealed + "=", sealed + "~", sealed.replace(".", ".%")])
      expect(() => box.open("user-totp-seed", respelled), respelled).toThrow();
    expect(() => createSecretBox(randomBytes(32)).open("user-totp-seed", sealed)).toThrow();
    const v1 = sealV1(key, "secret");
    for (const i of [1, 2, 3]) expect(() => box.open("user-totp-seed", flip(v1, i))).toThrow();
    expect(() => createSecretBox(randomBytes(32)).open("user-totp-seed", v1)).toThrow();
  });

  it("refuses keys that are not 32 bytes", () => {
    expect(() => createSecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });
});
