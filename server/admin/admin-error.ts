const REASONS: Record<number, string> = { 400: "Bad Request", 404: "Not Found", 409: "Conflict" };

/** A refusal of an admin use case, shown to the admin as is (Management API error shape). */
export class AdminError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
    readonly errorCode?: string,
  ) {
    super(message);
    this.name = "AdminError";
  }
}

/**
 * Run one admin use case and shape its answer: a value becomes 200 JSON, `undefined` becomes 204, an AdminError
 * becomes Auth0's `{statusCode, error, message, errorCode}`; anything else propagates to withAdmin (500).
 */
export async function respond(run: () => Promise<unknown>): Promise<Response> {
  try {
    const value = await run();
    if (value === undefined)
      return new Response(null, { status: 204, headers: { "cache-control": "no-store" } });
    return Response.json(value, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    if (!(err instanceof AdminError)) throw err;
    return Response.json(
      {
        statusCode: err.status,
        error: REASONS[err.status],
        message: err.message,
        ...(err.errorCode ? { errorCode: err.errorCode } : {}),
      },
      { status: err.status, headers: { "cache-control": "no-store" } },
    );
  }
}

/** Parse a JSON request body, refusing anything but an object. */
export async function readJsonObject(req: Request): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await req.json();
  } catch {
    throw new AdminError(400, "The request body must be JSON.");
  }
  if (!body || typeof body !== "object" || Array.isArray(body))
    throw new AdminError(400, "The request body must be a JSON object.");
  return body as Record<string, unknown>;
}

/** The last path segment of a request URL, decoded (dynamic route segments). */
export function lastPathSegment(req: Request): string {
  const parts = new URL(req.url).pathname.split("/").filter(Boolean);
  return decodeURIComponent(parts.at(-1) ?? "");
}
