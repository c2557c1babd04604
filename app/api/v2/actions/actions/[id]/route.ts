import { withManagement } from "@/server/management/with-management";
import { getActionById } from "@/server/management/actions/actions";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/v2/actions/actions/{id} (read:actions). */
export const GET = withManagement(["read:actions"], (_req, deps, caller, params) =>
  getActionById(deps, caller, params.id ?? ""),
);
