import { NextRequest } from "next/server";
import { readRequestBytes } from "../platform/read-body.ts";
import { AdminError, toAdminErrorResponse } from "./admin-error.ts";

/** A sign-in body is an e-mail, a password, a code, a CSRF token and a callback URL. */
export const AUTH_MAX_BODY_BYTES = 16 * 1024;

type TAuthContext = { params: Promise<{ nextauth: string[] }> };
type TAuthRouteHandler = (req: NextRequest, ctx: TAuthContext) => Promise<Response>;

/**
 * next-auth's route handler with the request body read under a byte cap first, since next-auth reads bodies
 * whole. A body over the cap (chunked too) is a 413 in the dashboard's error body before next-auth sees the
 * request; any other request reaches next-auth with its body already read.
 */
export function capAuthBody(handler: TAuthRouteHandler): TAuthRouteHandler {
  return async (req, ctx) => {
    if (!req.body) return handler(req, ctx);
    const read = await readRequestBytes(req, AUTH_MAX_BODY_BYTES);
    if (!read.isWithinCap) return toAdminErrorResponse(AdminError.tooLarge(AUTH_MAX_BODY_BYTES), "dashboard");
    const buffered = new NextRequest(req.url, { method: req.method, headers: req.headers, body: read.bytes });
    return handler(buffered, ctx);
  };
}
