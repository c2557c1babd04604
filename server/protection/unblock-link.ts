import { createHmac, timingSafeEqual } from "node:crypto";

/** How long an emailed unblock link works. */
export const UNBLOCK_LINK_TTL_MS = 5 * 24 * 3600 * 1000;

export type TUnblockClaim = {
  /** LoginFailure key the link releases. */
  key: string;
  /** Auth0-style user id of the account, for the audit record. */
  userId: string;
  expiresAt: Date;
};

/**
 * Signs and checks unblock-link tokens (HMAC-SHA256 with a key derived from the master key). A genuine token is
 * necessary, not sufficient: each link works once (redeem-unblock-link.ts records its use).
 */
export interface TUnblockLinks {
  sign(claim: TUnblockClaim): string;
  /** The claim of a genuine, unexpired token in its one canonical spelling; null for anything else. */
  verify(token: string, now: Date): TUnblockClaim | null;
}

/** Build the signer; tokens are `<base64url JSON>.<base64url MAC>`, so they fit in a URL path segment. */
export function createUnblockLinks(masterKey: Buffer): TUnblockLinks {
  const key = createHmac("sha256", masterKey).update("portcullis/unblock-link/v1").digest();
  const mac = (body: string) => createHmac("sha256", key).update(body).digest();
  return {
    sign(claim) {
      const body = Buffer.from(
        JSON.stringify({ k: claim.key, u: claim.userId, e: claim.expiresAt.getTime() }),
      ).toString("base64url");
      return `${body}.${mac(body).toString("base64url")}`;
    },
    verify(token, now) {
      const [body, sig, extra] = token.split(".");
      if (!body || !sig || extra !== undefined) return null;
      // Compare the text, not the decoded bytes: base64 decoding ignores stray characters and spare bits, and a
      // variant spelling of a used link must not count as a new link (links are single use, keyed by the text).
      const given = Buffer.from(sig);
      const expected = Buffer.from(mac(body).toString("base64url"));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
      } catch {
        return null;
      }
      const p = parsed as { k?: unknown; u?: unknown; e?: unknown };
      if (typeof p.k !== "string" || typeof p.u !== "string" || typeof p.e !== "number") return null;
      if (p.e <= now.getTime()) return null;
      return { key: p.k, userId: p.u, expiresAt: new Date(p.e) };
    },
  };
}

/** Where an unblock link's token starts in a text (the path `/unblock/<token>`). */
const UNBLOCK_LINK_RE = /(\/unblock\/)[^\s/?#]+/g;

/**
 * Replace unblock-link tokens in a text with "[redacted]": listings of sent messages show that a link was sent,
 * never a link that works (the notification outbox is readable by the viewer role).
 */
export function redactUnblockLinks(text: string): string {
  return text.replace(UNBLOCK_LINK_RE, "$1[redacted]");
}
