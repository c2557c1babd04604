import { readAdminJson } from "@/server/admin/read-admin-body";
import { withAdmin } from "@/server/admin/session";
import { saveMfaSettings } from "@/server/admin/mfa";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const PUT = withAdmin("config:write", async (req, deps, admin) => {
  const body: unknown = await readAdminJson(req);
  return Response.json(await saveMfaSettings(deps, admin, body));
});
