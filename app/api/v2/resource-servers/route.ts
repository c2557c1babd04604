import { withManagement } from "@/server/management/with-management";
import { listResourceServersPage } from "@/server/management/resource-servers/resource-servers";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/v2/resource-servers (read:resource_servers). */
export const GET = withManagement(["read:resource_servers"], (req, deps, caller) =>
  listResourceServersPage(deps, caller, new URL(req.url)),
);
