import { withManagement } from "@/server/management/with-management";
import { deleteManagedUser, getManagedUser } from "@/server/management/users/users";
import { updateManagedUser } from "@/server/management/users/update-user";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/v2/users/{id} (read:users). */
export const GET = withManagement(["read:users"], (req, deps, caller, params) =>
  getManagedUser(deps, caller, params.id ?? "", new URL(req.url)),
);

/** PATCH /api/v2/users/{id} (update:users; update:users_app_metadata for metadata only). */
export const PATCH = withManagement(
  ["update:users", "update:users_app_metadata"],
  (req, deps, caller, params) => updateManagedUser(deps, caller, params.id ?? "", req),
);

/** DELETE /api/v2/users/{id} (delete:users): 204. */
export const DELETE = withManagement(["delete:users"], (_req, deps, caller, params) =>
  deleteManagedUser(deps, caller, params.id ?? ""),
);
