import { timingSafeEqual } from "node:crypto";
import { getDeps, type TDeps } from "../config/deps.ts";
import { sha256Hex } from "../crypto/digest.ts";
import { AdminError } from "./errors.ts";

type TRouteContext<P> = { params: Promise<P> };

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
  });
}

/** Whether the request carries the admin API token. Constant-time; an unset token admits nobody. */
export function isAdminRequest(req: Request, token: string | undefined): boolean {
  if (!token) return false;
  const header = req.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match?.[1]) return false;
  // Digests have equal length, so the comparison time does not depend on how much of the token matched.
  return timingSafeEqual(Buffer.from(sha256Hex(match[1]), "hex"), Buffer.from(sha256Hex(token), "hex"));
}

/** Read a JSON request body; a missing or malformed one is a 400. */
export async function readJsonBody(req: Request): Promise<unknown> {
  const text = await req.text();
  if (!text) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AdminError(400, "invalid_body", "The request body is not valid JSON.");
  }
}

/**
 * Guard for every admin API route until the dashboard session exists: requires
 * `Authorization: Bearer $PORTCULLIS_ADMIN_API_TOKEN`, then runs the handler and maps AdminErrors to JSON. The
 * handler returns a JSON-able value (200), `null` (204) or `{ status, body }`.
 */
export function withAdmin<P = Record<string, never>>(
  handler: (req: Request, deps: TDeps, params: P) => Promise<unknown>,
  opts: { status?: number } = {},
): (req: Request, ctx: TRouteContext<P>) => Promise<Response> {
  return async (req, ctx) => {
    const deps = await getDeps();
    if (!isAdminRequest(req, deps.env.PORTCULLIS_ADMIN_API_TOKEN)) {
      return json(
        401,
        { error: "unauthorized", message: "A valid admin API token is required." },
        { "www-authenticate": 'Bearer realm="portcullis-admin"' },
      );
    }
    try {
      const result = await handler(req, deps, await ctx.params);
      return result === null ? json(204, null) : json(opts.status ?? 200, result);
    } catch (err) {
      if (err instanceof AdminError) {
        return json(err.status, {
          error: err.code,
          message: err.message,
          ...(err.details ? { details: err.details } : {}),
        });
      }
      console.error("[portcullis] admin API error:", err instanceof Error ? err.message : err);
      return json(500, { error: "server_error", message: "Internal server error" });
    }
  };
}
