import { withManagement } from "@/server/management/with-management";
import { getResourceServer } from "@/server/management/resource-servers/resource-servers";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/v2/resource-servers/{id} (read:resource_servers): by id or identifier. */
export const GET = withManagement(["read:resource_servers"], (req, deps, caller, params) =>
  getResourceServer(deps, caller, params.id ?? "", new URL(req.url)),
);
