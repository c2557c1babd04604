import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSecretBox } from "./secret-box.ts";

describe("secret box", () => {
  const box = createSecretBox(randomBytes(32));

  it("round-trips and never stores the plaintext", () => {
    const sealed = box.seal("client-secret-value");
    expect(sealed).not.toContain("client-secret-value");
    expect(box.open(sealed)).toBe("client-secret-value");
  });

  it("uses a fresh IV each time", () => {
    expect(box.seal("x")).not.toBe(box.seal("x"));
  });

  it("rejects tampering and a different master key", () => {
    const sealed = box.seal("secret");
    const parts = sealed.split(".");
    const ct = Buffer.from(parts[3]!, "base64url");
    ct[0] = ct[0]! ^ 1;
    parts[3] = ct.toString("base64url");
    expect(() => box.open(parts.join("."))).toThrow();
    expect(() => createSecretBox(randomBytes(32)).open(sealed)).toThrow();
  });

  it("refuses keys that are not 32 bytes", () => {
    expect(() => createSecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });
});
