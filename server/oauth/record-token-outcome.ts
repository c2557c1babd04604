import { OAuthError } from "./core/errors.ts";
import type { TGrantContext } from "./core/grant-context.ts";
import { MFA_OTP, MFA_RECOVERY_CODE } from "./grant-types.ts";
import type { TMetrics } from "../platform/metrics.ts";

const MFA_FACTORS: Record<string, "otp" | "recovery_code"> = {
  [MFA_OTP]: "otp",
  [MFA_RECOVERY_CODE]: "recovery_code",
};

/** What a token request's audit facts say it ended in. Bounded: log types and error classes are fixed sets. */
export type TTokenOutcome =
  | "success"
  | "wrong_credentials"
  | "blocked"
  | "ip_throttled"
  | "mfa_required"
  | "rule_denied"
  | "user_blocked"
  | "password_leaked"
  | "rate_limited"
  | "unavailable"
  | (string & {});

type TOutcomeFacts = Pick<TGrantContext["audit"], "failureType" | "details">;

/**
 * The metrics outcome of a finished token request, from the same facts its audit record is written from
 * (`error` is the OAuth error code of a refusal, null for a 200).
 */
export function classifyTokenOutcome(error: string | null, audit: TOutcomeFacts): TTokenOutcome {
  if (error === null) return "success";
  switch (audit.failureType) {
    case "fp":
    case "fu":
      return "wrong_credentials";
    case "limit_wc":
      return "blocked";
    case "limit_mu":
      return "ip_throttled";
    case "mfar":
      return "mfa_required";
  }
  const rules = audit.details?.rules as { error?: unknown } | undefined;
  if (rules?.error) return "rule_denied";
  switch (error) {
    case "unauthorized":
      return "user_blocked";
    case "too_many_attempts":
    case "too_many_requests":
      return "rate_limited";
    case "temporarily_unavailable":
      return "unavailable";
    default:
      return error;
  }
}

/**
 * Count a finished token request: outcome and latency by grant type, and the MFA metrics it implies. Called once
 * per request by the token endpoint; `startedAt` is its `performance.now()` at the start.
 */
export function recordTokenOutcome(
  metrics: TMetrics,
  ctx: Partial<Pick<TGrantContext, "grantType">> & Pick<TGrantContext, "audit">,
  status: number,
  err: unknown,
  startedAt: number,
): void {
  const error = status === 200 ? null : err instanceof OAuthError ? err.error : "server_error";
  const outcome = classifyTokenOutcome(error, ctx.audit);
  metrics.tokenRequest(ctx.grantType, status, outcome, (performance.now() - startedAt) / 1000);
  if (outcome === "mfa_required") metrics.mfaRequired(String(ctx.audit.details?.mfa_reason ?? "policy"));
  const factor = ctx.grantType === undefined ? undefined : MFA_FACTORS[ctx.grantType];
  if (factor) metrics.mfaVerification(factor, outcome);
}
