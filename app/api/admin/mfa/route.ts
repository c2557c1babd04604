import { withAdmin } from "@/server/admin/session";
import { saveMfaSettings } from "@/server/admin/mfa";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const PUT = withAdmin("config:write", async (req, deps, admin) => {
  const body: unknown = await req.json().catch(() => null);
  return Response.json(await saveMfaSettings(deps, admin, body));
});
