import { z } from "zod";
import { FIRST_PARTY_ONLY_GRANT_TYPES, KNOWN_GRANT_TYPES } from "./grant-types.ts";

/**
 * One validation of a client (application) for every way one is written: the tenant importer, the dashboard and
 * the Management API. The field validators carry Auth0's names and limits; the invariants check a client's
 * effective settings (after merging a patch over the stored client) and say which field is at fault.
 */

export const APP_TYPES = ["regular_web", "spa", "native", "non_interactive"] as const;
export const AUTH_METHODS = ["none", "client_secret_post", "client_secret_basic"] as const;

/** Auth0's maximum ID-token lifetime (30 days). */
const MAX_ID_TOKEN_LIFETIME = 2_592_000;
/** Auth0's maximum refresh-token lifetime, absolute and idle (one year). */
const MAX_REFRESH_LIFETIME = 31_557_600;

const ZLifetime = (max: number) => z.number().int().min(60).max(max);

/** A grant type from the registry; anything else is refused with its name. */
export const ZGrantType = z.enum(KNOWN_GRANT_TYPES, {
  error: (issue) => `unknown grant type ${JSON.stringify(issue.input)}`,
});

/** Every client field Portcullis stores, with Auth0's field names (token settings flattened). */
export const CLIENT_FIELDS = {
  name: z.string().trim().min(1, "must not be empty").max(128),
  description: z.string().max(140),
  app_type: z.enum(APP_TYPES),
  is_first_party: z.boolean(),
  token_endpoint_auth_method: z.enum(AUTH_METHODS),
  grant_types: z.array(ZGrantType).max(KNOWN_GRANT_TYPES.length),
  is_token_endpoint_ip_header_trusted: z.boolean(),
  /** Names of the connections enabled for the client. */
  connections: z.array(z.string()).max(100),
  client_metadata: z.record(z.string(), z.string().max(255)),
  id_token_alg: z.enum(["RS256", "HS256"]),
  id_token_lifetime: ZLifetime(MAX_ID_TOKEN_LIFETIME),
  refresh_rotation_type: z.enum(["rotating", "non-rotating"]),
  refresh_leeway: z.number().int().min(0).max(300),
  refresh_token_lifetime: ZLifetime(MAX_REFRESH_LIFETIME),
  refresh_idle_lifetime: ZLifetime(MAX_REFRESH_LIFETIME),
  /** Portcullis extension: kept for a new client (deploy-CLI files carry no client ids). */
  client_id: z.string().regex(/^[A-Za-z0-9._~-]{1,128}$/, "must be 1 to 128 letters, digits or . _ ~ -"),
  /** Portcullis extension. Stored only as a digest plus a sealed copy, so it must be a high-entropy secret. */
  client_secret: z.string().min(32, "must be at least 32 characters").max(512),
};

/** What the client invariants read: the effective settings after a change. */
export type TClientInvariantInput = {
  is_first_party: boolean;
  grant_types: readonly string[];
  token_endpoint_auth_method: string;
  is_token_endpoint_ip_header_trusted: boolean;
  refresh_token_lifetime?: number;
  refresh_idle_lifetime?: number;
};

/** A broken invariant, named by the `CLIENT_FIELDS` field at fault. */
export type TClientProblem = {
  field: "grant_types" | "is_token_endpoint_ip_header_trusted" | "refresh_idle_lifetime";
  message: string;
};

/**
 * The rules every client must satisfy whoever writes it: no password or MFA grants for a third party, no trusted
 * end-user IP header without a secret (a public client could forge it), and an idle refresh lifetime no longer
 * than the absolute one. Returns every broken rule, empty when the client is valid.
 */
export function checkClientInvariants(c: TClientInvariantInput): TClientProblem[] {
  const problems: TClientProblem[] = [];
  if (!c.is_first_party) {
    const refused = c.grant_types.filter((g) => FIRST_PARTY_ONLY_GRANT_TYPES.some((f) => f === g));
    if (refused.length > 0)
      problems.push({
        field: "grant_types",
        message: `Third-party applications (is_first_party: false) cannot use ${refused.join(", ")}`,
      });
  }
  if (c.token_endpoint_auth_method === "none" && c.is_token_endpoint_ip_header_trusted)
    problems.push({
      field: "is_token_endpoint_ip_header_trusted",
      message:
        "Only applications that authenticate with a secret (token_endpoint_auth_method other than none) may trust the token endpoint IP header",
    });
  const { refresh_token_lifetime: absolute, refresh_idle_lifetime: idle } = c;
  if (absolute !== undefined && idle !== undefined && idle > absolute)
    problems.push({
      field: "refresh_idle_lifetime",
      message: "The idle lifetime cannot exceed the refresh token lifetime",
    });
  return problems;
}

/** Auth0: public apps (SPA, native) authenticate with no secret; everything else with a secret in the body. */
export function defaultAuthMethod(appType: string): (typeof AUTH_METHODS)[number] {
  return appType === "spa" || appType === "native" ? "none" : "client_secret_post";
}
