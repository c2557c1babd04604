import type { TRuleFailure, TRuleFailureKind } from "../../rules-runtime/index.ts";
import { AccessDenied, ServerError, Unauthorized, type OAuthError } from "../oauth/core/errors.ts";
import { MFA_ON_REFRESH, REDIRECT_UNAVAILABLE } from "../rules/outcomes.ts";

/** How the actions of a login can end it, besides a sandbox failure: decisions the host takes on their commands. */
export type TActionsFailureKind = TRuleFailureKind | "redirect" | "multifactor" | "invalid_claims";

/** What clients see when an action broke a limit or could not run; the audit record carries the real reason. */
export const ACTION_FAILED = "The login could not be completed because an action failed.";

/**
 * The one table from action outcomes to OAuth errors (house rule 9). `api.access.deny(reason)` and an error an
 * action throws reach the client with their text, like a rule's Error (contract §3.8); limits, syntax errors and
 * sandbox failures fail closed with a generic description.
 */
export const ACTION_FAILURE_ERRORS = {
  unauthorized: (f) => new Unauthorized(f.message || "Unauthorized"),
  denied: (f) => new AccessDenied(f.message || "Access denied"),
  timeout: () => new AccessDenied(ACTION_FAILED),
  memory: () => new AccessDenied(ACTION_FAILED),
  syntax: () => new AccessDenied(ACTION_FAILED),
  invalid_output: () => new AccessDenied(ACTION_FAILED),
  invalid_claims: () => new AccessDenied(ACTION_FAILED),
  abuse: () => new AccessDenied(ACTION_FAILED),
  crashed: () => new ServerError(ACTION_FAILED),
  redirect: () => new AccessDenied(REDIRECT_UNAVAILABLE),
  multifactor: () => new AccessDenied(MFA_ON_REFRESH),
} satisfies Record<TActionsFailureKind, (f: TRuleFailure) => OAuthError>;

/** The OAuth error for an actions failure. */
export function actionFailureError(kind: TActionsFailureKind, failure: TRuleFailure): OAuthError {
  return ACTION_FAILURE_ERRORS[kind](failure);
}
