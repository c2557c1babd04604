import type { TResourceServerRecord } from "../store/resource-servers.ts";

export const OIDC_SCOPES = ["openid", "profile", "email", "address", "phone"] as const;

/**
 * Auth0's "full access" semantics for password grants (contract §1.4): with an API and no API scopes requested,
 * every scope of the API is granted; `openid` brings all standard OIDC scopes; `offline_access` survives only
 * when the API allows offline access and the client holds the refresh_token grant. Unknown scopes are dropped.
 */
export function resolveScopes(input: {
  requested: string | undefined;
  api: TResourceServerRecord | null;
  clientHasRefreshGrant: boolean;
}): string[] {
  const requested = (input.requested ?? "").split(" ").filter(Boolean);
  const granted: string[] = [];
  if (requested.includes("openid")) granted.push(...OIDC_SCOPES);
  if (input.api) {
    const apiScopes = input.api.scopes.map((s) => s.value);
    const askedApi = requested.filter((s) => apiScopes.includes(s));
    for (const s of askedApi.length > 0 ? askedApi : apiScopes) if (!granted.includes(s)) granted.push(s);
  }
  if (requested.includes("offline_access") && input.api?.allowOfflineAccess && input.clientHasRefreshGrant) {
    granted.push("offline_access");
  }
  return granted;
}

/** Access-token audience: the API, plus the userinfo audience when openid was granted on an RS256 API. */
export function accessTokenAudience(
  issuer: string,
  api: TResourceServerRecord | null,
  scope: string[],
): string | string[] {
  const userinfo = `${issuer}userinfo`;
  if (!api) return userinfo;
  if (scope.includes("openid") && api.signingAlg === "RS256") return [api.identifier, userinfo];
  return api.identifier;
}
