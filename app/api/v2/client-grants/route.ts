import { withManagement } from "@/server/management/with-management";
import {
  createClientGrantFromRequest,
  listClientGrantsPage,
} from "@/server/management/client-grants/client-grants";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/v2/client-grants (read:client_grants): `audience`, `client_id`, paging. */
export const GET = withManagement(["read:client_grants"], (req, deps, caller) =>
  listClientGrantsPage(deps, caller, new URL(req.url)),
);

/** POST /api/v2/client-grants (create:client_grants). */
export const POST = withManagement(["create:client_grants"], (req, deps, caller) =>
  createClientGrantFromRequest(deps, caller, req),
);
