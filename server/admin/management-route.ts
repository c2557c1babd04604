import { AdminError, toAdminErrorResponse, type TAdminApi } from "./admin-error.ts";
import { parseAdminJson, readAdminBodyText } from "./read-admin-body.ts";
import { isUnstorable } from "../oauth/core/request.ts";

/**
 * Run one admin use case and shape its answer: a value becomes 200 JSON, `undefined` becomes 204, a Response passes
 * as is, an AdminError becomes the error body of `api` (Auth0's `{statusCode, error, message, errorCode}` by
 * default); anything else propagates to withAdmin (500).
 */
export async function respond(run: () => Promise<unknown>, api: TAdminApi = "management"): Promise<Response> {
  try {
    const value = await run();
    if (value instanceof Response) return value;
    if (value === undefined)
      return new Response(null, { status: 204, headers: { "cache-control": "no-store" } });
    return Response.json(value, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    if (!(err instanceof AdminError)) throw err;
    return toAdminErrorResponse(err, api);
  }
}

/** Parse a JSON request body, refusing anything but an object (and a body over the size limit, 413). */
export async function readJsonObject(req: Request): Promise<Record<string, unknown>> {
  const text = await readAdminBodyText(req);
  let body: unknown;
  try {
    body = parseAdminJson(text);
  } catch {
    throw AdminError.invalid("The request body must be JSON.");
  }
  if (!body || typeof body !== "object" || Array.isArray(body))
    throw AdminError.invalid("The request body must be a JSON object.");
  return body as Record<string, unknown>;
}

/**
 * The last path segment of a request URL, decoded (dynamic route segments). A segment that is not valid
 * percent-encoding (an IPv6 zone id typed as is: `fe80::1%eth0`) is returned undecoded, so the use case refuses it
 * with its own 400 instead of the decoder failing with a 500; so is one that decodes to a NUL, which would fail the
 * store (PostgreSQL) instead of naming nothing.
 */
export function lastPathSegment(req: Request): string {
  const parts = new URL(req.url).pathname.split("/").filter(Boolean);
  const segment = parts.at(-1) ?? "";
  try {
    const decoded = decodeURIComponent(segment);
    return isUnstorable(decoded) ? segment : decoded;
  } catch {
    return segment;
  }
}
