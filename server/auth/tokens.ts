import { randomBytes } from "node:crypto";
import { jwtVerify, decodeProtectedHeader, type JWTPayload } from "jose";
import { signCompactJws } from "./jws.ts";
import type { TKeyStore } from "./signing-keys.ts";
import type { TUserRecord } from "../store/users.ts";

export type TAccessTokenInput = {
  issuer: string;
  subject: string;
  audience: string | string[];
  clientId: string;
  scope: string[];
  gty: string;
  lifetimeSeconds: number;
  now: Date;
  /** HS256 APIs sign with their own secret; otherwise the tenant RS256 key. */
  hs256Secret?: string;
  extraClaims?: Record<string, unknown>;
};

function seconds(d: Date): number {
  return Math.floor(d.getTime() / 1000);
}

/** Sign a JWT access token with Auth0's claims: iss, sub, aud, iat, exp, scope, azp, gty, jti. */
export async function signAccessToken(keys: TKeyStore, input: TAccessTokenInput): Promise<string> {
  const iat = seconds(input.now);
  const payload: JWTPayload = {
    ...input.extraClaims,
    iss: input.issuer,
    sub: input.subject,
    aud: input.audience,
    iat,
    exp: iat + input.lifetimeSeconds,
    scope: input.scope.join(" "),
    jti: randomBytes(16).toString("base64url"),
    gty: input.gty,
    azp: input.clientId,
  };
  if (input.hs256Secret) return signCompactJws({ alg: "HS256", typ: "JWT" }, payload, input.hs256Secret);
  const key = await keys.current();
  return signCompactJws({ alg: "RS256", typ: "JWT", kid: key.kid }, payload, key.privateKey);
}

/** Standard OIDC claims of a user, filtered by granted scopes (profile, email, phone). */
export function userClaims(user: TUserRecord, scope: string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  if (scope.includes("profile")) {
    const nickname = user.nickname ?? (user.email ? user.email.split("@")[0] : user.username) ?? undefined;
    Object.assign(claims, {
      name: user.name ?? user.email ?? user.username ?? undefined,
      nickname,
      given_name: user.givenName ?? undefined,
      family_name: user.familyName ?? undefined,
      picture: user.picture ?? undefined,
      preferred_username: user.username ?? undefined,
      updated_at: user.updatedAt.toISOString(),
    });
  }
  if (scope.includes("email") && user.email) {
    Object.assign(claims, { email: user.email, email_verified: user.emailVerified });
  }
  if (scope.includes("phone") && user.phoneNumber) {
    Object.assign(claims, { phone_number: user.phoneNumber, phone_number_verified: user.phoneVerified });
  }
  for (const k of Object.keys(claims)) if (claims[k] === undefined) delete claims[k];
  return claims;
}

export type TIdTokenInput = {
  issuer: string;
  user: TUserRecord;
  clientId: string;
  scope: string[];
  lifetimeSeconds: number;
  now: Date;
  /** Set for clients configured for HS256: the client secret. */
  hs256Secret?: string;
  extraClaims?: Record<string, unknown>;
};

/** Sign an OIDC ID token (aud = client_id) that passes node-auth0's validator. */
export async function signIdToken(keys: TKeyStore, input: TIdTokenInput): Promise<string> {
  const iat = seconds(input.now);
  const payload: JWTPayload = {
    ...input.extraClaims,
    ...userClaims(input.user, input.scope),
    iss: input.issuer,
    sub: input.user.userId,
    aud: input.clientId,
    iat,
    exp: iat + input.lifetimeSeconds,
  };
  if (input.hs256Secret) return signCompactJws({ alg: "HS256", typ: "JWT" }, payload, input.hs256Secret);
  const key = await keys.current();
  return signCompactJws({ alg: "RS256", typ: "JWT", kid: key.kid }, payload, key.privateKey);
}

/** Verify an RS256 access token issued by this server; throws on anything invalid. */
export async function verifyAccessToken(
  keys: TKeyStore,
  token: string,
  opts: { issuer: string; audience?: string; now: Date },
): Promise<JWTPayload> {
  const header = decodeProtectedHeader(token);
  if (header.alg !== "RS256" || typeof header.kid !== "string") throw new Error("unsupported token");
  const key = await keys.publicKey(header.kid);
  if (!key) throw new Error("unknown key");
  const { payload } = await jwtVerify(token, key, {
    issuer: opts.issuer,
    audience: opts.audience,
    algorithms: ["RS256"],
    currentDate: opts.now,
  });
  return payload;
}
