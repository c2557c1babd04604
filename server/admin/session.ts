import { getServerSession } from "next-auth";
import { timingSafeEqual, createHash } from "node:crypto";
import { authOptions } from "./auth-options.ts";
import { getDeps, type TDeps } from "../config/deps.ts";
import { findAdminById } from "../store/admin-users.ts";
import { canPerform, isRole, type TAction, type TRole } from "./roles.ts";

export type TAdmin = { id: string; email: string; role: TRole; totpEnabled: boolean };

/** The signed-in admin (re-read from the database), or null. For server components and route handlers. */
export async function getCurrentAdmin(): Promise<TAdmin | null> {
  const session = (await getServerSession(authOptions)) as { adminId?: string } | null;
  if (!session?.adminId) return null;
  const deps = await getDeps();
  const admin = await findAdminById(deps.db, session.adminId);
  if (!admin || !isRole(admin.role)) return null;
  return { id: admin.id, email: admin.email, role: admin.role, totpEnabled: Boolean(admin.totpEnabledAt) };
}

export class AdminAccessError extends Error {
  constructor(readonly status: 401 | 403) {
    super(status === 401 ? "Sign in required" : "Not allowed for your role");
  }
}

/** The signed-in admin if their role allows `action`; throws AdminAccessError (401/403) otherwise. */
export async function requireAdmin(action: TAction): Promise<TAdmin> {
  const admin = await getCurrentAdmin();
  if (!admin) throw new AdminAccessError(401);
  if (!canPerform(admin.role, action)) throw new AdminAccessError(403);
  return admin;
}

function sameOrigin(req: Request, publicUrl: string): boolean {
  const origin = req.headers.get("origin");
  // Browsers send Origin on every cross-site state-changing request; a missing one means a non-browser client.
  if (!origin) return true;
  return origin === new URL(publicUrl).origin || origin === new URL(req.url).origin;
}

function tokenMatches(presented: string, expected: string): boolean {
  const a = createHash("sha256").update(presented).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Guard for admin API route handlers: a dashboard session whose role allows `action` (state-changing requests must
 * come from our own origin: CSRF protection on top of SameSite=Lax cookies), or, for automation, the bearer
 * PORTCULLIS_ADMIN_API_TOKEN (acts as owner). Errors answer JSON 401/403 without details.
 */
export function withAdmin(
  action: TAction,
  handler: (req: Request, deps: TDeps, admin: TAdmin) => Promise<Response>,
): (req: Request) => Promise<Response> {
  return async (req) => {
    const deps = await getDeps();
    const auth = req.headers.get("authorization");
    if (auth && /^bearer /i.test(auth)) {
      const expected = deps.env.PORTCULLIS_ADMIN_API_TOKEN;
      if (!expected || !tokenMatches(auth.slice(7).trim(), expected)) {
        return Response.json(
          { error: "unauthorized", error_description: "Invalid admin API token" },
          { status: 401 },
        );
      }
      return handler(req, deps, { id: "api-token", email: "api-token", role: "owner", totpEnabled: false });
    }
    if (req.method !== "GET" && req.method !== "HEAD" && !sameOrigin(req, deps.env.PUBLIC_URL)) {
      return Response.json(
        { error: "forbidden", error_description: "Cross-origin request refused" },
        { status: 403 },
      );
    }
    try {
      const admin = await requireAdmin(action);
      return await handler(req, deps, admin);
    } catch (err) {
      if (err instanceof AdminAccessError) {
        return Response.json(
          { error: err.status === 401 ? "unauthorized" : "forbidden", error_description: err.message },
          { status: err.status },
        );
      }
      throw err;
    }
  };
}
