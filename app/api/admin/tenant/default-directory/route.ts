import { readAdminJson } from "@/server/admin/read-admin-body";
import { withAdmin } from "@/server/admin/session";
import { AdminError } from "@/server/admin/admin-error";
import { setDefaultDirectory } from "@/server/admin/directory";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const PUT = withAdmin("config:write", async (req, deps, admin) => {
  const body = (await readAdminJson(req)) as { name?: unknown } | null;
  if (typeof body?.name !== "string") throw AdminError.invalid("name is required");
  await setDefaultDirectory(deps, admin, body.name);
  return Response.json({ default_directory: body.name });
});
