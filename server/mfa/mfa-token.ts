import { randomUUID } from "node:crypto";
import type { TDeps } from "../config/deps.ts";
import { ExpiredToken, InvalidGrant } from "../oauth/core/errors.ts";

/** Auth0 gives `mfa_token`s 600 s and this cannot be configured (contract §4.1). */
export const MFA_TOKEN_LIFETIME_MS = 10 * 60 * 1000;
export const MALFORMED_MFA_TOKEN = "Malformed mfa_token";

/** What an `mfa_token` is bound to: the password login that needed a second factor. */
export type TMfaTokenClaims = {
  /** Internal user id. */
  userId: string;
  /** Public client_id of the client that made the password request. */
  clientId: string;
  /** API identifier of the original request, or null (no audience). */
  audience: string | null;
  /** Scopes resolved for the original request; the MFA grants issue exactly these. */
  scope: string[];
  /** Connection name, for logs and for re-running rules after MFA. */
  connection: string;
  expiresAt: number;
};

const TYP = "mfa_token";

/**
 * Seal a new `mfa_token` (AES-256-GCM under the master key's `mfa-token` subkey, so no other sealed value opens
 * as one). Sealed rather than stored: the password hot path writes no row for it, every server process sharing
 * the master key can read it, it is opaque to the client (no scopes or ids leak), and GCM's tag makes it
 * unforgeable. It cannot be revoked, which its 10 minutes make
 * acceptable: it only allows the MFA API and the MFA grants for this one user, client, audience and scope.
 */
export function createMfaToken(deps: TDeps, claims: Omit<TMfaTokenClaims, "expiresAt">, now: Date): string {
  const payload = {
    typ: TYP,
    jti: randomUUID(),
    ...claims,
    expiresAt: now.getTime() + MFA_TOKEN_LIFETIME_MS,
  };
  return deps.box.seal("mfa-token", JSON.stringify(payload));
}

/** Whether a bearer token has the shape of a sealed `mfa_token` (`v<n>.…`) rather than a JWT. */
export function isSealedMfaTokenShape(token: string): boolean {
  return /^v\d+\./.test(token);
}

/**
 * Open an `mfa_token` for `clientId` (null: any client, for bearer calls that name none). Anything that is not
 * a live token of ours for that client is "Malformed mfa_token"; a genuine but old one is `expired_token`.
 */
export function readMfaToken(
  deps: TDeps,
  token: string,
  clientId: string | null,
  now: Date,
): TMfaTokenClaims {
  let parsed: unknown;
  try {
    parsed = JSON.parse(deps.box.open("mfa-token", token));
  } catch {
    throw new InvalidGrant(MALFORMED_MFA_TOKEN);
  }
  const p = parsed as Partial<TMfaTokenClaims> & { typ?: unknown };
  if (
    !p ||
    p.typ !== TYP ||
    typeof p.userId !== "string" ||
    typeof p.clientId !== "string" ||
    typeof p.expiresAt !== "number" ||
    typeof p.connection !== "string" ||
    !Array.isArray(p.scope) ||
    (p.audience !== null && typeof p.audience !== "string")
  ) {
    throw new InvalidGrant(MALFORMED_MFA_TOKEN);
  }
  // A token from one client is unusable by another: same answer as a forged one.
  if (clientId !== null && p.clientId !== clientId) throw new InvalidGrant(MALFORMED_MFA_TOKEN);
  if (p.expiresAt <= now.getTime()) throw new ExpiredToken("mfa_token is expired");
  return {
    userId: p.userId,
    clientId: p.clientId,
    audience: p.audience ?? null,
    scope: p.scope.map(String),
    connection: p.connection,
    expiresAt: p.expiresAt,
  };
}
