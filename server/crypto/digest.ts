import { createHash, timingSafeEqual } from "node:crypto";

/** SHA-256 hex digest. Used for high-entropy secrets (client secrets, refresh tokens) where a slow hash adds nothing. */
export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

/** Compare a presented secret with a stored SHA-256 digest in constant time. */
export function matchesDigest(presented: string, storedHex: string): boolean {
  const a = Buffer.from(sha256Hex(presented), "hex");
  const b = Buffer.from(storedHex, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}
