/** The refusals an admin use case or route can answer with. */
export type TAdminErrorStatus = 400 | 401 | 403 | 404 | 409 | 413;

/**
 * The admin API families, each with its own error body (clients of each rely on it):
 * - `dashboard`: the dashboard's forms, `{error: "invalid_request", error_description, fields?}`;
 * - `management`: Auth0 Management API compatible endpoints, `{statusCode, error, message, errorCode?}`;
 * - `rules`: the rules API, `{error: code, message, details?}`.
 */
export type TAdminApi = "dashboard" | "management" | "rules";

type TAdminErrorOptions = {
  /** Stable machine-readable name: the Management API's `errorCode`, the rules API's `error`. */
  code?: string;
  /** Form field → message, so the dashboard can show each problem next to its control. */
  fields?: Record<string, string>;
  /** Structured data for the client (the rules editor marks a compile error's place with it). */
  details?: unknown;
};

/**
 * A refusal of an admin request, for every admin use case and route: its message is safe to show. Create one with
 * the factory for its case (`AdminError.invalid`, `.unauthenticated`, `.forbidden`, `.notFound`, `.conflict`);
 * {@link toAdminErrorResponse} turns it into the HTTP answer.
 */
export class AdminError extends Error {
  override readonly name = "AdminError";
  readonly code?: string;
  readonly fields?: Record<string, string>;
  readonly details?: unknown;

  constructor(
    readonly status: TAdminErrorStatus,
    message: string,
    options: TAdminErrorOptions = {},
  ) {
    super(message);
    this.code = options.code;
    this.fields = options.fields;
    this.details = options.details;
  }

  /** 400: the request is malformed or a value is not acceptable. */
  static invalid(message: string, options?: TAdminErrorOptions): AdminError {
    return new AdminError(400, message, options);
  }

  /** 401: no admin session, or a wrong API token. */
  static unauthenticated(): AdminError {
    return new AdminError(401, "Sign in required");
  }

  /** 403: the admin's role (or a TOTP enrolment still owed) does not allow the action. */
  static forbidden(): AdminError {
    return new AdminError(403, "Not allowed for your role");
  }

  /** 404: the thing the request names does not exist. */
  static notFound(message: string, options?: TAdminErrorOptions): AdminError {
    return new AdminError(404, message, options);
  }

  /** 409: the change clashes with the current state (a name already taken). */
  static conflict(message: string, options?: TAdminErrorOptions): AdminError {
    return new AdminError(409, message, options);
  }

  /** 413: the request body is over the size limit (it was not read to its end). */
  static tooLarge(maxBytes: number): AdminError {
    return new AdminError(413, `The request body is larger than ${maxBytes} bytes.`);
  }
}

const REASONS = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  413: "Payload Too Large",
} as const satisfies Record<TAdminErrorStatus, string>;

/** The rules API's `error` for an AdminError that names no code. */
const RULES_CODES = {
  400: "invalid_body",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  413: "payload_too_large",
} as const satisfies Record<TAdminErrorStatus, string>;

function errorBody(err: AdminError, api: TAdminApi): Record<string, unknown> {
  // Access refusals come from the one guard (or the role check every use case repeats), so they look the same on
  // every admin endpoint.
  if (err.status === 401 || err.status === 403)
    return { error: err.status === 401 ? "unauthorized" : "forbidden", error_description: err.message };
  switch (api) {
    case "dashboard":
      return {
        error: "invalid_request",
        error_description: err.message,
        ...(err.fields ? { fields: err.fields } : {}),
      };
    case "management":
      return {
        statusCode: err.status,
        error: REASONS[err.status],
        message: err.message,
        ...(err.code ? { errorCode: err.code } : {}),
      };
    case "rules":
      return {
        error: err.code ?? RULES_CODES[err.status],
        message: err.message,
        ...(err.details ? { details: err.details } : {}),
      };
  }
}

/** The HTTP answer to an AdminError, in the error body of the admin API family `api` (see {@link TAdminApi}). */
export function toAdminErrorResponse(err: AdminError, api: TAdminApi): Response {
  return Response.json(errorBody(err, api), {
    status: err.status,
    headers: { "cache-control": "no-store" },
  });
}
