import { readAdminJson } from "@/server/admin/read-admin-body";
import { withAdmin } from "@/server/admin/session";
import { createApi } from "@/server/admin/directory";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = withAdmin("config:write", async (req, deps, admin) =>
  Response.json(await createApi(deps, admin, await readAdminJson(req)), {
    status: 201,
    headers: { "cache-control": "no-store" },
  }),
);
