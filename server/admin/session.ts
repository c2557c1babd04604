import { getServerSession } from "next-auth";
import { isAdminAuthorized } from "./guard.ts";
import { authOptions } from "./auth-options.ts";
import { getDeps, type TDeps } from "../config/deps.ts";
import { findAdminById } from "../store/admin-users.ts";
import { canPerform, clientMayPerform, isRole, type TAction, type TRole } from "./roles.ts";
import { AdminError, toAdminErrorResponse } from "./admin-error.ts";
import { isUnstorable } from "../oauth/core/request.ts";

export type TAdmin = {
  id: string;
  email: string;
  role: TRole;
  totpEnabled: boolean;
  /** The tenant requires TOTP for admins (ADMIN_REQUIRE_TOTP) and this admin has not set it up yet. */
  mustEnrollTotp?: boolean;
  /**
   * A Management API client (`/api/v2`) acting through the use cases: its token's scopes decide what it may do,
   * not `role` (which is the least powerful one, so nothing that reads the role grants it more).
   */
  client?: { clientId: string; name: string; scopes: readonly string[] };
};

/** The signed-in admin (re-read from the database), or null. For server components and route handlers. */
export async function getCurrentAdmin(): Promise<TAdmin | null> {
  const session = (await getServerSession(authOptions)) as { adminId?: string } | null;
  if (!session?.adminId) return null;
  const deps = await getDeps();
  const admin = await findAdminById(deps.db, session.adminId);
  if (!admin || !isRole(admin.role)) return null;
  const totpEnabled = Boolean(admin.totpEnabledAt);
  return {
    id: admin.id,
    email: admin.email,
    role: admin.role,
    totpEnabled,
    mustEnrollTotp: deps.env.ADMIN_REQUIRE_TOTP && !totpEnabled,
  };
}

/** Whether `admin` may do `action` now: role permits it and, where TOTP is required, it is set up (except for the account screen itself). */
export function isAdminAllowed(admin: TAdmin, action: TAction): boolean {
  if (admin.mustEnrollTotp && action !== "account:self") return false;
  if (admin.client) return clientMayPerform(admin.client.scopes, action);
  return canPerform(admin.role, action);
}

/** For dashboard pages: the signed-in admin if allowed to do `action`, else null (the page shows "not available"). */
export async function getPageAdmin(action: TAction): Promise<TAdmin | null> {
  const admin = await getCurrentAdmin();
  return admin && isAdminAllowed(admin, action) ? admin : null;
}

/** The signed-in admin if their role allows `action`; throws an AdminError (401/403) otherwise. */
export async function requireAdmin(action: TAction): Promise<TAdmin> {
  const admin = await getCurrentAdmin();
  if (!admin) throw AdminError.unauthenticated();
  if (!isAdminAllowed(admin, action)) throw AdminError.forbidden();
  return admin;
}

function sameOrigin(req: Request, publicUrl: string): boolean {
  const origin = req.headers.get("origin");
  // Browsers send Origin on every cross-site state-changing request; a missing one means a non-browser client.
  if (!origin) return true;
  return origin === new URL(publicUrl).origin || origin === new URL(req.url).origin;
}

/**
 * Guard for admin API route handlers: a dashboard session whose role allows `action` (state-changing requests must
 * come from our own origin: CSRF protection on top of SameSite=Lax cookies), or, for automation, the bearer
 * PORTCULLIS_ADMIN_API_TOKEN (acts as owner). AdminErrors answer in the dashboard's error body (401/403 without
 * details).
 */
export function withAdmin(
  action: TAction,
  handler: (req: Request, deps: TDeps, admin: TAdmin, params: Record<string, string>) => Promise<Response>,
): (req: Request, ctx?: { params?: Promise<Record<string, string | string[]>> }) => Promise<Response> {
  return async (req, ctx) => {
    const raw = (await ctx?.params) ?? {};
    const params = Object.fromEntries(
      Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v.join("/") : v]),
    );
    const deps = await getDeps();
    // A path segment with NUL or a lone surrogate names nothing, and looking it up would fail the store (PostgreSQL
    // refuses NUL in text): answered as not found, once the caller is known to be allowed.
    const isNameless = Object.values(params).some((v) => typeof v === "string" && isUnstorable(v));
    const run = (admin: TAdmin) => {
      if (isNameless) throw AdminError.notFound("Not found.");
      return handler(req, deps, admin, params);
    };
    try {
      const auth = req.headers.get("authorization");
      if (auth && /^bearer /i.test(auth)) {
        if (!isAdminAuthorized(auth, deps.env.PORTCULLIS_ADMIN_API_TOKEN)) throw AdminError.unauthenticated();
        return await run({ id: "api-token", email: "api-token", role: "owner", totpEnabled: false });
      }
      if (req.method !== "GET" && req.method !== "HEAD" && !sameOrigin(req, deps.env.PUBLIC_URL)) {
        return Response.json(
          { error: "forbidden", error_description: "Cross-origin request refused" },
          { status: 403 },
        );
      }
      // No session cookie: answer 401 at once (and without touching next-auth outside a request scope).
      if (!/(^|;\s*)(__Secure-)?next-auth\.session-token(\.\d+)?=/.test(req.headers.get("cookie") ?? ""))
        throw AdminError.unauthenticated();
      return await run(await requireAdmin(action));
    } catch (err) {
      if (err instanceof AdminError) return toAdminErrorResponse(err, "dashboard");
      throw err;
    }
  };
}
