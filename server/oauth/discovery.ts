import type { TEnv } from "../platform/env.ts";
import { GRANTS } from "./grants/index.ts";
import { OIDC_SCOPES } from "../auth/scopes.ts";
import { jsonResponse } from "./core/request.ts";

/** The OpenID Provider metadata (/.well-known/openid-configuration) for what Portcullis serves. */
export function buildDiscoveryDocument(env: TEnv): Record<string, unknown> {
  const base = env.PUBLIC_URL;
  return {
    issuer: env.issuer,
    token_endpoint: `${base}/oauth/token`,
    userinfo_endpoint: `${base}/userinfo`,
    jwks_uri: `${base}/.well-known/jwks.json`,
    // No authorization endpoint: Portcullis serves first-party password logins only.
    response_types_supported: ["token", "id_token"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256", "HS256"],
    token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic", "none"],
    revocation_endpoint: `${base}/oauth/revoke`,
    revocation_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic", "none"],
    grant_types_supported: [...GRANTS.keys()],
    scopes_supported: [...OIDC_SCOPES, "offline_access"],
    claims_supported: [
      "aud",
      "email",
      "email_verified",
      "exp",
      "family_name",
      "given_name",
      "iat",
      "iss",
      "name",
      "nickname",
      "phone_number",
      "phone_number_verified",
      "picture",
      "preferred_username",
      "sub",
      "updated_at",
    ],
    request_parameter_supported: false,
  };
}

/** GET /.well-known/openid-configuration */
export function handleDiscovery(env: TEnv): Response {
  return jsonResponse(200, buildDiscoveryDocument(env), { "cache-control": "public, max-age=300" });
}
