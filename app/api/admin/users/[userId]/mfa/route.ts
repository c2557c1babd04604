import { withAdmin } from "@/server/admin/session";
import { resetUserMfa } from "@/server/admin/mfa";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const DELETE = withAdmin("mfa:reset", async (_req, deps, admin, params) => {
  const removed = await resetUserMfa(deps, admin, decodeURIComponent(params.userId ?? ""));
  return Response.json({ removed });
});
