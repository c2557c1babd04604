import { readAdminJson } from "@/server/admin/read-admin-body";
import { withAdmin } from "@/server/admin/session";
import { updateConnection } from "@/server/admin/update-connection";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** PATCH /api/admin/connections/{con_…}: rename, choose the applications that may use it, default directory. */
export const PATCH = withAdmin("config:write", async (req, deps, admin, params) =>
  Response.json(await updateConnection(deps, admin, params.connectionId ?? "", await readAdminJson(req))),
);
