import type { TJson } from "../../rules-runtime/index.ts";

/** Claims a rule may not set (Auth0 drops them silently; Portcullis drops them and records the drop). */
const RESERVED_CLAIMS = new Set([
  "iss",
  "sub",
  "aud",
  "exp",
  "nbf",
  "iat",
  "jti",
  "azp",
  "scope",
  "permissions",
  "gty",
  "nonce",
  "auth_time",
  "at_hash",
  "c_hash",
  "acr",
  "amr",
  "sid",
  "cnf",
  "org_id",
  "org_name",
]);
/** Auth0 keeps its own namespaces (contract §3.5). */
const RESTRICTED_NAMESPACE = /^(urn:auth0|https?:\/\/([^/]*\.)?(auth0\.com|webtask\.io|webtask\.run)(\/|$))/i;

/** Auth0's limit on the custom payload of one token. */
export const MAX_CUSTOM_CLAIMS_BYTES = 100 * 1024;

export type TClaims = Record<string, TJson>;

/** Custom claims from `context.idToken` / `context.accessToken`, minus reserved ones (listed in `dropped`). */
export function readCustomClaims(
  source: TJson | undefined,
  token: "id_token" | "access_token",
): { claims: TClaims; dropped: string[] } {
  const claims: TClaims = {};
  const dropped: string[] = [];
  if (!source || typeof source !== "object" || Array.isArray(source)) return { claims, dropped };
  for (const [k, v] of Object.entries(source)) {
    // `context.accessToken.scope` replaces the granted scopes; it is not a claim.
    if (token === "access_token" && k === "scope") continue;
    if (v === null) continue;
    if (RESERVED_CLAIMS.has(k) || RESTRICTED_NAMESPACE.test(k)) dropped.push(`${token}.${k}`);
    else claims[k] = v;
  }
  return { claims, dropped };
}

/** `context.accessToken.scope` as a scope list: an array of strings or a space-separated string; else undefined. */
export function readScopeOverride(source: TJson | undefined): string[] | undefined | "invalid" {
  if (!source || typeof source !== "object" || Array.isArray(source)) return undefined;
  const scope = source.scope;
  if (scope === undefined) return undefined;
  const list = typeof scope === "string" ? scope.split(" ") : Array.isArray(scope) ? scope : null;
  if (!list || !list.every((s): s is string => typeof s === "string")) return "invalid";
  return [...new Set(list.flatMap((s) => s.split(/\s+/)).filter(Boolean))];
}
