import { createCipheriv, randomBytes } from "node:crypto";

/** A value as the v1 secret box sealed it (before issue 13): AES-256-GCM under the master key itself, no AAD. */
export function sealV1(masterKey: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", masterKey, iv);
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", ...[iv, cipher.getAuthTag(), ct].map((b) => b.toString("base64url"))].join(".");
}
