import type { TRuleFailure, TRuleFailureKind } from "../../rules-runtime/index.ts";
import { AccessDenied, ServerError, Unauthorized, type OAuthError } from "../oauth/core/errors.ts";

/** Failures decided after the sandbox returned: the pipeline finished but the login cannot go on. */
export type TRulesFailureKind = TRuleFailureKind | "redirect" | "multifactor" | "invalid_claims";

/** What clients see when a rule broke a limit or could not run; the audit record carries the real reason. */
export const RULE_FAILED = "The login could not be completed because a rule failed.";
/** Auth0's observed text for a redirect rule on /oauth/token (contract §3.7). */
export const REDIRECT_UNAVAILABLE = "auth0 redirection is not available on /oauth/token endpoint";
/** A rule asking for MFA on a refresh-token exchange: nobody is there to answer a challenge, so it fails closed. */
export const MFA_ON_REFRESH =
  "Multifactor authentication is required and cannot be performed on a refresh-token exchange";

/**
 * The one table from rule outcomes to OAuth errors (house rule 9). A rule's own decisions reach the client with its
 * message (contract §3.8); limits, syntax errors and sandbox failures fail closed with a generic description.
 */
export const RULE_FAILURE_ERRORS = {
  unauthorized: (f) => new Unauthorized(f.message || "Unauthorized"),
  denied: (f) => new AccessDenied(f.message || "Access denied"),
  timeout: () => new AccessDenied(RULE_FAILED),
  memory: () => new AccessDenied(RULE_FAILED),
  syntax: () => new AccessDenied(RULE_FAILED),
  invalid_output: () => new AccessDenied(RULE_FAILED),
  invalid_claims: () => new AccessDenied(RULE_FAILED),
  abuse: () => new AccessDenied(RULE_FAILED),
  crashed: () => new ServerError(RULE_FAILED),
  redirect: () => new AccessDenied(REDIRECT_UNAVAILABLE),
  multifactor: () => new AccessDenied(MFA_ON_REFRESH),
} satisfies Record<TRulesFailureKind, (f: TRuleFailure) => OAuthError>;

/** The OAuth error for a rules failure. */
export function ruleFailureError(kind: TRulesFailureKind, failure: TRuleFailure): OAuthError {
  return RULE_FAILURE_ERRORS[kind](failure);
}
