import { withAdmin } from "@/server/admin/session";
import { respond } from "@/server/admin/management-route";
import { getAttackView } from "@/server/admin/attack-view/get-attack-view";
import { parseAttackViewRange } from "@/server/admin/attack-view/attack-view-range";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/admin/attack-view?range=hour|day|14d: the Attack protection screen's attack view as JSON. */
export const GET = withAdmin("logs:read", (req, deps, admin) =>
  respond(
    () => getAttackView(deps, admin, parseAttackViewRange(new URL(req.url).searchParams.get("range"))),
    "dashboard",
  ),
);
