import { withManagement } from "@/server/management/with-management";
import { readLog } from "@/server/management/logs/read-logs";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/v2/logs/{id} (read:logs). */
export const GET = withManagement(["read:logs"], (_req, deps, caller, params) =>
  readLog(deps, caller, params.id ?? ""),
);
