import { readAdminJson } from "@/server/admin/read-admin-body";
import { withAdmin } from "@/server/admin/session";
import { deleteApplication } from "@/server/admin/applications";
import { updateApplication } from "@/server/admin/update-application";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** PATCH /api/admin/applications/{client_id}: edit settings; a newly confidential app's secret is returned once. */
export const PATCH = withAdmin("config:write", async (req, deps, admin, params) =>
  Response.json(await updateApplication(deps, admin, params.clientId ?? "", await readAdminJson(req)), {
    headers: { "cache-control": "no-store" },
  }),
);

export const DELETE = withAdmin("config:write", async (_req, deps, admin, params) => {
  await deleteApplication(deps, admin, params.clientId ?? "");
  return new Response(null, { status: 204 });
});
