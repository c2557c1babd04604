import { withManagement } from "@/server/management/with-management";
import { getConnectionById } from "@/server/management/connections/connections";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/v2/connections/{id} (read:connections). */
export const GET = withManagement(["read:connections"], (req, deps, caller, params) =>
  getConnectionById(deps, caller, params.id ?? "", new URL(req.url)),
);
