import { z } from "zod";

/** Auth0's maximum access-token lifetime for an API (contract §1.5: 30 days). */
export const MAX_API_TOKEN_LIFETIME = 2_592_000;

/** The most scopes an API may define. */
export const MAX_API_SCOPES = 100;

/** A scope value: no spaces, since a `scope` parameter is a space-separated list of them. */
export const ZScopeValue = z.string().min(1).max(280).regex(/^\S+$/, "must not contain spaces");

/** A scope an API defines. */
export const ZScope = z.object({ value: ZScopeValue, description: z.string().max(500).optional() });

/**
 * One validation of an API's (resource server's) fields for the tenant importer, the dashboard and the Management
 * API (Auth0's names and limits).
 */
export const API_FIELDS = {
  name: z.string().trim().min(1, "must not be empty").max(200),
  /** The audience clients ask for; fixed once the API exists. */
  identifier: z.string().trim().min(1).max(600),
  scopes: z.array(ZScope).max(MAX_API_SCOPES),
  token_lifetime: z.number().int().min(60).max(MAX_API_TOKEN_LIFETIME),
  signing_alg: z.enum(["RS256", "HS256"]),
  /** Portcullis extension for HS256 APIs; generated when absent. */
  signing_secret: z.string().min(16, "must be at least 16 characters"),
  allow_offline_access: z.boolean(),
};
