import { z } from "zod";
import { randomAlphanumeric } from "../crypto/random-id.ts";

/**
 * One validation of a client grant (which API a client may get client_credentials tokens for, with which scopes) for
 * every way one is written: the tenant importer, the dashboard and the Management API.
 */
export const CLIENT_GRANT_FIELDS = {
  audience: z.string().trim().min(1, "must not be empty").max(600),
  scope: z
    .array(z.string().min(1, "must not be empty").max(280))
    .max(1000)
    .transform((s) => [...new Set(s)]),
};

/** A new Auth0-style client grant id, `cgr_` and 16 letters or digits. */
export function newClientGrantId(): string {
  return `cgr_${randomAlphanumeric(16)}`;
}

/** The scopes of `scope` that the API does not define (a grant may only hand out the API's own scopes). */
export function undefinedScopes(scope: readonly string[], apiScopes: readonly string[]): string[] {
  return scope.filter((s) => !apiScopes.includes(s));
}
