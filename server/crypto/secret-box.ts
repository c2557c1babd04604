import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/** Authenticated encryption (AES-256-GCM) for secrets at rest: client secrets, signing keys, later TOTP seeds. */
export interface TSecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

const VERSION = "v1";

/** Build a secret box from a 32-byte master key. Sealed values look like `v1.<iv>.<tag>.<ciphertext>` (base64url). */
export function createSecretBox(masterKey: Buffer): TSecretBox {
  if (masterKey.length !== 32) throw new Error("The master key must be 32 bytes.");
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", masterKey, iv);
      const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return [
        VERSION,
        iv.toString("base64url"),
        cipher.getAuthTag().toString("base64url"),
        ct.toString("base64url"),
      ].join(".");
    },
    open(sealed) {
      const [version, iv, tag, ct] = sealed.split(".");
      if (version !== VERSION || !iv || !tag || ct === undefined) throw new Error("Malformed sealed value.");
      const decipher = createDecipheriv("aes-256-gcm", masterKey, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString(
        "utf8",
      );
    },
  };
}
