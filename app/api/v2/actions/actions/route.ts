import { withManagement } from "@/server/management/with-management";
import { listActionsPage } from "@/server/management/actions/actions";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/v2/actions/actions (read:actions): `triggerId`, `actionName`, `deployed`, `installed`, paging. */
export const GET = withManagement(["read:actions"], (req, deps, caller) =>
  listActionsPage(deps, caller, new URL(req.url)),
);
