import { withManagement } from "@/server/management/with-management";
import {
  deleteClientGrantById,
  updateClientGrantFromRequest,
} from "@/server/management/client-grants/client-grants";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** PATCH /api/v2/client-grants/{id} (update:client_grants): `{scope}`. */
export const PATCH = withManagement(["update:client_grants"], (req, deps, caller, params) =>
  updateClientGrantFromRequest(deps, caller, params.id ?? "", req),
);

/** DELETE /api/v2/client-grants/{id} (delete:client_grants). */
export const DELETE = withManagement(["delete:client_grants"], (_req, deps, caller, params) =>
  deleteClientGrantById(deps, caller, params.id ?? ""),
);
