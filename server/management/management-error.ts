import { AdminError } from "../admin/admin-error.ts";

/** Auth0's reason phrases, the `error` field of a Management API error body. */
const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  413: "Payload Too Large",
  429: "Too Many Requests",
  500: "Internal Server Error",
};

/**
 * A refusal of a Management API (`/api/v2`) request, answered in Auth0's body
 * `{statusCode, error, message, errorCode?}`. Its message is safe to show.
 */
export class ManagementError extends Error {
  override readonly name = "ManagementError";

  constructor(
    readonly status: number,
    message: string,
    readonly errorCode?: string,
    readonly headers: Record<string, string> = {},
    readonly attributes?: Record<string, unknown>,
  ) {
    super(message);
  }

  /** 400 for a request body that fails validation (Auth0's `invalid_body`). */
  static invalidBody(message: string): ManagementError {
    return new ManagementError(400, message, "invalid_body");
  }

  /** 400 for a query string that fails validation (Auth0's `invalid_query_string`). */
  static invalidQuery(message: string): ManagementError {
    return new ManagementError(400, message, "invalid_query_string");
  }

  /** 401: no token, or a token this API does not accept (Auth0's messages). */
  static unauthorized(message: string): ManagementError {
    return new ManagementError(
      401,
      message,
      undefined,
      { "www-authenticate": 'Bearer realm="api/v2"' },
      {
        error: message,
      },
    );
  }

  /** 403: the token lacks every scope that would allow the call. */
  static insufficientScope(expected: readonly string[]): ManagementError {
    return new ManagementError(
      403,
      `Insufficient scope, expected any of: ${expected.join(",")}`,
      "insufficient_scope",
    );
  }

  /** 404 with Auth0's message and code for the missing thing (`inexistent_user`, …). */
  static notFound(message: string, errorCode?: string): ManagementError {
    return new ManagementError(404, message, errorCode);
  }

  /** 409: the change clashes with existing data. */
  static conflict(message: string, errorCode?: string): ManagementError {
    return new ManagementError(409, message, errorCode);
  }
}

/** The HTTP answer for a ManagementError, or for an AdminError thrown by a shared use case. */
export function managementErrorResponse(
  err: ManagementError | AdminError,
  method: string,
  extraHeaders: Record<string, string> = {},
): Response {
  let status: number;
  let message: string;
  let errorCode: string | undefined;
  let headers: Record<string, string> = {};
  let attributes: Record<string, unknown> | undefined;
  if (err instanceof ManagementError) {
    ({ status, message, errorCode, headers, attributes } = err);
  } else {
    status = err.status;
    message = err.message;
    errorCode =
      err.code ??
      (status === 400
        ? ["GET", "HEAD", "DELETE"].includes(method)
          ? "invalid_query_string"
          : "invalid_body"
        : undefined);
    // A use case's own role check refusing a management caller means a scope was missing (the route checks first).
    if (status === 403) errorCode ??= "insufficient_scope";
  }
  return Response.json(
    {
      statusCode: status,
      error: REASONS[status] ?? "Error",
      message,
      ...(errorCode ? { errorCode } : {}),
      ...(attributes ? { attributes } : {}),
    },
    { status, headers: { "cache-control": "no-store", ...extraHeaders, ...headers } },
  );
}
