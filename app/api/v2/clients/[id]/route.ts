import { withManagement } from "@/server/management/with-management";
import { getClientById } from "@/server/management/clients/clients";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/v2/clients/{id} (read:clients): by client_id; never a secret. */
export const GET = withManagement(["read:clients"], (req, deps, caller, params) =>
  getClientById(deps, caller, params.id ?? "", new URL(req.url)),
);
