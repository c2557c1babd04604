import { withManagement } from "@/server/management/with-management";
import { deleteUserAuthenticators } from "@/server/management/users/users";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** DELETE /api/v2/users/{id}/authenticators (delete:guardian_enrollments): the MFA reset, 204. */
export const DELETE = withManagement(["delete:guardian_enrollments"], (_req, deps, caller, params) =>
  deleteUserAuthenticators(deps, caller, params.id ?? ""),
);
