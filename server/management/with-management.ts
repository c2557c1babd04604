import { getDeps, type TDeps } from "../config/deps.ts";
import { AdminError } from "../admin/admin-error.ts";
import { isUnstorable } from "../oauth/core/request.ts";
import { takeSendWithState } from "../store/send-limits.ts";
import { errorMessage } from "../platform/logger.ts";
import { authenticateManagement, type TManagementCaller } from "./authenticate-management.ts";
import type { TManagementScope } from "./management-api.ts";
import { ManagementError, managementErrorResponse } from "./management-error.ts";

export type TManagementHandler = (
  req: Request,
  deps: TDeps,
  caller: TManagementCaller,
  params: Record<string, string>,
) => Promise<unknown>;

/** A created resource: 201 with its JSON (the other answers: a value is 200 JSON, `undefined` is 204). */
export function created(body: unknown): Response {
  return Response.json(body, { status: 201 });
}

/**
 * The client's token bucket (MANAGEMENT_API_REQUESTS_PER_SECOND, bursts up to MANAGEMENT_API_BURST), in the
 * database so it holds across processes, and Auth0's X-RateLimit-* headers describing it.
 */
async function takeRequest(
  deps: TDeps,
  clientId: string,
): Promise<{ admitted: boolean; headers: Record<string, string> }> {
  const nowMs = deps.clock.now().getTime();
  const intervalMs = 1000 / deps.env.MANAGEMENT_API_REQUESTS_PER_SECOND;
  const capacity = deps.env.MANAGEMENT_API_BURST;
  const { admitted, tatMs } = await takeSendWithState(
    deps.db,
    `mgmt:${clientId}`,
    nowMs,
    intervalMs,
    capacity,
  );
  const remaining = Math.max(
    0,
    Math.min(capacity, Math.floor((nowMs + capacity * intervalMs - tatMs) / intervalMs)),
  );
  const headers: Record<string, string> = {
    "x-ratelimit-limit": String(capacity),
    "x-ratelimit-remaining": String(remaining),
    "x-ratelimit-reset": String(Math.ceil(Math.max(tatMs, nowMs) / 1000)),
  };
  if (!admitted)
    headers["retry-after"] = String(
      Math.max(1, Math.ceil((tatMs - capacity * intervalMs + intervalMs - nowMs) / 1000)),
    );
  return { admitted, headers };
}

function withHeaders(res: Response, headers: Record<string, string>): Response {
  for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
  if (!res.headers.has("cache-control")) res.headers.set("cache-control", "no-store");
  return res;
}

/**
 * Guard and answer shaping for a Management API (`/api/v2`) route: the caller's token is verified, its client's
 * rate limit taken, and one of `scopes` required (Auth0's 403 `insufficient_scope` naming them); then `handler`
 * runs. Its value becomes 200 JSON (`undefined`: 204; a Response passes as is, e.g. {@link created}); a
 * ManagementError or a use case's AdminError becomes Auth0's error body; anything else a 500 that says nothing.
 */
export function withManagement(
  scopes: readonly TManagementScope[],
  handler: TManagementHandler,
): (req: Request, ctx?: { params?: Promise<Record<string, string | string[]>> }) => Promise<Response> {
  return async (req, ctx) => {
    const deps = await getDeps();
    let rateHeaders: Record<string, string> = {};
    try {
      const caller = await authenticateManagement(req, deps);
      const rate = await takeRequest(deps, caller.client.clientId);
      rateHeaders = rate.headers;
      if (!rate.admitted)
        throw new ManagementError(429, "Global limit has been reached", "too_many_requests");
      if (scopes.length > 0 && !scopes.some((s) => caller.client.scopes.includes(s)))
        throw ManagementError.insufficientScope(scopes);
      const raw = (await ctx?.params) ?? {};
      const params = Object.fromEntries(
        Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v.join("/") : v]),
      );
      // A path segment with NUL or a lone surrogate names nothing (and PostgreSQL would refuse to look it up).
      if (Object.values(params).some((v) => isUnstorable(v))) throw ManagementError.notFound("Not Found");
      const value = await handler(req, deps, caller, params);
      if (value instanceof Response) return withHeaders(value, rateHeaders);
      if (value === undefined) return withHeaders(new Response(null, { status: 204 }), rateHeaders);
      return withHeaders(Response.json(value), rateHeaders);
    } catch (err) {
      if (err instanceof ManagementError || err instanceof AdminError)
        return managementErrorResponse(err, req.method, rateHeaders);
      deps.log.error(
        { err: errorMessage(err), path: new URL(req.url).pathname },
        "management API request failed",
      );
      return managementErrorResponse(
        new ManagementError(500, "Internal Server Error"),
        req.method,
        rateHeaders,
      );
    }
  };
}
