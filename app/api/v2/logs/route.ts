import { withManagement } from "@/server/management/with-management";
import { readLogs } from "@/server/management/logs/read-logs";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/v2/logs (read:logs): search pages or checkpoint paging (`from`, `take`). */
export const GET = withManagement(["read:logs"], (req, deps, caller) =>
  readLogs(deps, caller, new URL(req.url)),
);
