/**
 * One OAuth error hierarchy (house rule 3). Each class is named after its RFC/Auth0 `error` code, carries the HTTP
 * status and whether its description may reach the client. `serializeOAuthError` is the only place that turns
 * an error into a response body.
 */
export abstract class OAuthError extends Error {
  abstract readonly error: string;
  abstract readonly status: number;
  /** Extra top-level body fields (e.g. `mfa_token`). */
  readonly extra: Record<string, unknown> = {};
  /** Whether `message` may be shown to the client; otherwise a generic text is sent. */
  readonly isExposed: boolean = true;
  readonly headers: Record<string, string> = {};

  constructor(description: string) {
    super(description);
    this.name = new.target.name;
  }
}

/** A malformed request: 400, or 413 for a body over its size limit. */
export class InvalidRequest extends OAuthError {
  readonly error = "invalid_request";
  constructor(
    description: string,
    readonly status: 400 | 413 = 400,
  ) {
    super(description);
  }
}

export class InvalidScope extends OAuthError {
  readonly error = "invalid_scope";
  readonly status = 400;
}

export class UnsupportedGrantType extends OAuthError {
  readonly error = "unsupported_grant_type";
  readonly status = 400;
}

export class InvalidGrant extends OAuthError {
  readonly error = "invalid_grant";
  readonly status = 403;
}

export class UnauthorizedClient extends OAuthError {
  readonly error = "unauthorized_client";
  readonly status = 403;
}

/** Client authentication failed (Auth0 answers 401 access_denied "Unauthorized"). */
export class AccessDenied extends OAuthError {
  readonly error = "access_denied";
  constructor(
    description: string,
    readonly status: number = 403,
  ) {
    super(description);
  }
}

/** Client authentication failed at /oauth/revoke, where Auth0 documents 401 `invalid_client` (not the token
 * endpoint's `access_denied`). */
export class InvalidClient extends OAuthError {
  readonly error = "invalid_client";
  readonly status = 401;
}

/** Auth0's `unauthorized`: admin-blocked users and rule `UnauthorizedError`s. */
export class Unauthorized extends OAuthError {
  readonly error = "unauthorized";
  readonly status = 401;
}

export class InvalidToken extends OAuthError {
  readonly error = "invalid_token";
  readonly status = 401;
}

export class ServerError extends OAuthError {
  readonly error = "server_error";
  readonly status = 500;
}

/** Store unreachable and similar: the request is refused, never waved through. */
export class TemporarilyUnavailable extends OAuthError {
  readonly error = "temporarily_unavailable";
  readonly status = 503;
  override readonly headers: Record<string, string> = { "retry-after": "5" };
}

/** Brute-force block, suspicious-IP throttle (contract §1.6) or too many wrong MFA codes: 429. */
export class TooManyAttempts extends OAuthError {
  readonly error = "too_many_attempts";
  readonly status = 429;
}

/** A per-client rate limit (client_credentials tokens): Auth0's 429 `too_many_requests`. */
export class TooManyRequests extends OAuthError {
  readonly error = "too_many_requests";
  readonly status = 429;
  constructor(description: string, retryAfterSeconds: number) {
    super(description);
    this.headers["retry-after"] = String(retryAfterSeconds);
  }
}

/** Breached-password block (contract §1.6): the right password, known from a breach corpus. */
export class PasswordLeaked extends OAuthError {
  readonly error = "password_leaked";
  readonly status = 401;
  constructor() {
    super(PASSWORD_LEAKED);
  }
}

/** A login needs a second factor: 403 with an `mfa_token` for the MFA API and the MFA grants (contract §4.1). */
export class MfaRequired extends OAuthError {
  readonly error = "mfa_required";
  readonly status = 403;
  constructor(mfaToken: string) {
    super("Multifactor authentication required");
    this.extra.mfa_token = mfaToken;
  }
}

/** An `mfa_token` past its 10 minutes (contract §4.3). */
export class ExpiredToken extends OAuthError {
  readonly error = "expired_token";
  readonly status = 403;
}

/** MFA API: none of the requested challenge or authenticator types can be served (contract §4.2). */
export class UnsupportedChallengeType extends OAuthError {
  readonly error = "unsupported_challenge_type";
  readonly status = 400;
}

/** MFA API: the user has no active authenticator to challenge; associate one first. */
export class AssociationRequired extends OAuthError {
  readonly error = "association_required";
  readonly status = 400;
}

export const WRONG_CREDENTIALS = "Wrong email or password.";
export const BRUTE_FORCE_BLOCKED =
  "Your account has been blocked after multiple consecutive login attempts. We've sent you an email with instructions on how to unblock it.";
export const SUSPICIOUS_IP_BLOCKED =
  "We have detected suspicious login behavior and further attempts will be blocked. Please contact the administrator.";
export const PASSWORD_LEAKED =
  "This login attempt has been blocked because the password you're using was previously disclosed through a data breach (not in this application). Please check your email for more information.";
export const LOGIN_UNAVAILABLE = "Login is temporarily unavailable. Please try again later.";
export const NO_DEFAULT_CONNECTION = "Authorization server not configured with default connection.";

/** The one serializer: body and status for any thrown value. Unknown errors never leak their text. */
export function serializeOAuthError(err: unknown): {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
} {
  if (err instanceof OAuthError) {
    return {
      status: err.status,
      body: {
        error: err.error,
        error_description: err.isExposed ? err.message : "Internal server error",
        ...err.extra,
      },
      headers: err.headers,
    };
  }
  return {
    status: 500,
    body: { error: "server_error", error_description: "Internal server error" },
    headers: {},
  };
}
