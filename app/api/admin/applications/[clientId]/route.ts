import { withAdmin } from "@/server/admin/session";
import { deleteApplication } from "@/server/admin/applications";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const DELETE = withAdmin("config:write", async (_req, deps, admin, params) => {
  await deleteApplication(deps, admin, params.clientId ?? "");
  return new Response(null, { status: 204 });
});
