import { OAuthError, serializeOAuthError } from "../core/errors.ts";

/**
 * An error of Auth0's database-connection endpoints (/dbconnections/signup, /dbconnections/change_password). Auth0
 * answers these in its own shape, `{ name, code, description, statusCode }` (node-auth0 reads `code`/`description`
 * when there is no `error`), not the OAuth `{ error, error_description }` of /oauth/token; a few refusals (signup
 * disabled, rate limits, unknown clients) keep the OAuth shape as Auth0 sends them. `body` is the exact JSON sent.
 */
export class DbConnectionError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    /** The audit record's description (never a password). */
    readonly logDescription: string,
  ) {
    super(logDescription);
    this.name = "DbConnectionError";
  }

  /** Auth0's BadRequestError body: `{ name: "BadRequestError", code, description, statusCode: 400 }`. */
  static badRequest(code: string, description: string): DbConnectionError {
    return new DbConnectionError(
      400,
      { name: "BadRequestError", code, description, statusCode: 400 },
      description,
    );
  }
}

export const USER_EXISTS = "The user already exists.";
export const USERNAME_EXISTS = "The username already exists.";
export const INVALID_SIGNUP = "Invalid sign up";
export const SIGNUP_DISABLED = "public signup is disabled";
export const CONNECTION_DISABLED = "the connection was disabled";
export const RESET_SENT = "We've just sent you an email to reset your password.";
export const SIGNUP_PASSWORD_LEAKED =
  "This password was previously disclosed through a data breach (not in this application). Please choose another password.";

/** A required parameter is missing or not a string (Auth0's text for /dbconnections is not documented: our choice). */
export function missingParameter(name: string): DbConnectionError {
  return DbConnectionError.badRequest("invalid_parameter", `Missing required parameter: ${name}`);
}

/** The one serializer of these endpoints: status and body for any thrown value; unknown errors never leak. */
export function serializeDbConnectionError(err: unknown): {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
} {
  if (err instanceof DbConnectionError) return { status: err.status, body: err.body, headers: {} };
  if (err instanceof OAuthError) return serializeOAuthError(err);
  return serializeOAuthError(err);
}
