import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from "jose";
import type { TDeps } from "../config/deps.ts";

// Token checks a relying party would make.

/** A response field that must be a string (a token, a scope). */
export function str(v: unknown): string {
  if (typeof v !== "string") throw new Error(`expected a string, got ${JSON.stringify(v)}`);
  return v;
}

/** A space-separated scope, sorted. */
export function words(v: unknown): string[] {
  return str(v).split(" ").filter(Boolean).sort();
}

/** Verify an RS256 access token against the published JWKS, as an API would. */
export async function verifyRs256AccessToken(
  deps: TDeps,
  token: string,
  expected: { audience: string },
): Promise<JWTPayload> {
  const jwks = createLocalJWKSet(await deps.keys.jwks());
  const { payload, protectedHeader } = await jwtVerify(token, jwks, {
    issuer: deps.env.issuer,
    audience: expected.audience,
    algorithms: ["RS256"],
    currentDate: deps.clock.now(),
  });
  if (typeof protectedHeader.kid !== "string") throw new Error("RS256 access token without kid");
  return payload;
}

/**
 * Validate an ID token exactly as node-auth0's IDTokenValidator does (contract §7.2): alg RS256/HS256, iss equal to
 * `https://{domain}/`, string sub, aud containing the client id, azp when several audiences, numeric exp/iat with
 * 60 s tolerance, nonce only when present, then a signature check with the JWKS or the client secret (HS256).
 * `now` is the test clock instead of the wall clock.
 */
export async function validateIdTokenLikeNodeAuth0(
  deps: TDeps,
  idToken: string,
  opts: { clientId: string; clientSecret?: string; idTokenSigningAlg?: "RS256" | "HS256"; now?: Date },
): Promise<JWTPayload> {
  const alg = opts.idTokenSigningAlg ?? "RS256";
  const issuer = deps.env.issuer;
  const clockTolerance = 60;
  const header = decodeProtectedHeader(idToken);
  const payload = decodeJwt(idToken);
  if (header.alg !== "RS256" && header.alg !== "HS256") throw new Error(`unsupported alg ${header.alg}`);
  if (typeof payload.iss !== "string" || payload.iss !== issuer)
    throw new Error(`iss mismatch: ${payload.iss}`);
  if (!payload.sub || typeof payload.sub !== "string") throw new Error("sub missing");
  if (!payload.aud || !(typeof payload.aud === "string" || Array.isArray(payload.aud)))
    throw new Error("aud missing");
  if (Array.isArray(payload.aud) ? !payload.aud.includes(opts.clientId) : payload.aud !== opts.clientId) {
    throw new Error(`aud mismatch: ${JSON.stringify(payload.aud)}`);
  }
  const now = Math.floor((opts.now ?? deps.clock.now()).getTime() / 1000);
  if (!payload.exp || typeof payload.exp !== "number") throw new Error("exp missing");
  if (now > payload.exp + clockTolerance) throw new Error("expired");
  if (!payload.iat || typeof payload.iat !== "number") throw new Error("iat missing");
  if (payload.nonce !== undefined) throw new Error("unexpected nonce");
  if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== opts.clientId)
    throw new Error("azp mismatch");
  const options = {
    issuer,
    audience: opts.clientId,
    clockTolerance,
    algorithms: ["HS256", "RS256"],
    currentDate: opts.now ?? deps.clock.now(),
  };
  if (alg === "HS256") await jwtVerify(idToken, new TextEncoder().encode(opts.clientSecret ?? ""), options);
  else await jwtVerify(idToken, createLocalJWKSet(await deps.keys.jwks()), options);
  return payload;
}
