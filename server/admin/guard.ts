import { createHash, timingSafeEqual } from "node:crypto";
import { getDeps, type TDeps } from "../config/deps.ts";

function digest(s: string): Buffer {
  return createHash("sha256").update(s, "utf8").digest();
}

function unauthorized(): Response {
  return Response.json(
    { statusCode: 401, error: "Unauthorized", message: "Missing or invalid admin API token." },
    {
      status: 401,
      headers: { "www-authenticate": 'Bearer realm="portcullis-admin"', "cache-control": "no-store" },
    },
  );
}

/** Whether `authorization` carries the configured admin token. Never true when no token is configured. */
export function isAdminAuthorized(authorization: string | null, token: string | undefined): boolean {
  if (!token || !authorization) return false;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!m) return false;
  // Digests make the comparison constant-time whatever the lengths.
  return timingSafeEqual(digest(m[1]!), digest(token));
}

/**
 * Guard for admin API route handlers: requires `Authorization: Bearer <PORTCULLIS_ADMIN_API_TOKEN>` (compared in
 * constant time). Without a configured token every request gets 401 — the admin API is never open. Unexpected
 * errors become a generic 500 with the cause logged for operators.
 */
export function withAdmin(
  handler: (req: Request, deps: TDeps) => Promise<Response>,
): (req: Request) => Promise<Response> {
  return async (req) => {
    const deps = await getDeps();
    if (!isAdminAuthorized(req.headers.get("authorization"), deps.env.PORTCULLIS_ADMIN_API_TOKEN)) {
      return unauthorized();
    }
    try {
      return await handler(req, deps);
    } catch (err) {
      console.error("[portcullis] admin API error:", err instanceof Error ? err.message : err);
      return Response.json(
        { statusCode: 500, error: "Internal Server Error", message: "Internal server error" },
        { status: 500 },
      );
    }
  };
}
