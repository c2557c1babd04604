import { withManagement } from "@/server/management/with-management";
import { listClientsPage } from "@/server/management/clients/clients";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/v2/clients (read:clients): paging, `fields`, `app_type`, `is_first_party`; never a secret. */
export const GET = withManagement(["read:clients"], (req, deps, caller) =>
  listClientsPage(deps, caller, new URL(req.url)),
);
