import { withManagement } from "@/server/management/with-management";
import { readUserLogs } from "@/server/management/logs/read-logs";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/v2/users/{id}/logs (read:logs, read:logs_users). */
export const GET = withManagement(["read:logs", "read:logs_users"], (req, deps, caller, params) =>
  readUserLogs(deps, caller, params.id ?? "", new URL(req.url)),
);
