import { readAdminJson } from "@/server/admin/read-admin-body";
import { withAdmin } from "@/server/admin/session";
import { createConnection } from "@/server/admin/directory";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = withAdmin("config:write", async (req, deps, admin) =>
  Response.json(await createConnection(deps, admin, await readAdminJson(req)), { status: 201 }),
);
