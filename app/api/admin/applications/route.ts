import { readAdminJson } from "@/server/admin/read-admin-body";
import { withAdmin } from "@/server/admin/session";
import { createApplication } from "@/server/admin/applications";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = withAdmin("config:write", async (req, deps, admin) =>
  Response.json(await createApplication(deps, admin, await readAdminJson(req)), {
    status: 201,
    headers: { "cache-control": "no-store" },
  }),
);
