import { withManagement } from "@/server/management/with-management";
import { listConnectionsPage } from "@/server/management/connections/connections";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/v2/connections (read:connections): `strategy`, `name`, paging, `fields`. */
export const GET = withManagement(["read:connections"], (req, deps, caller) =>
  listConnectionsPage(deps, caller, new URL(req.url)),
);
