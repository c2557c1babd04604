import { createHash, timingSafeEqual } from "node:crypto";

function digest(s: string): Buffer {
  return createHash("sha256").update(s, "utf8").digest();
}

/** Whether `authorization` carries the configured admin token. Never true when no token is configured. */
export function isAdminAuthorized(authorization: string | null, token: string | undefined): boolean {
  if (!token || !authorization) return false;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!m) return false;
  // Digests make the comparison constant-time whatever the lengths.
  return timingSafeEqual(digest(m[1]!), digest(token));
}
