import { AdminError } from "../admin-error.ts";
import type { TAdmin } from "../session.ts";
import { isManagementApi } from "../../management/management-api.ts";

/**
 * A Management API client may give any application (itself included) only Management API scopes it holds itself:
 * otherwise `create:client_grants` alone would be every scope, one PATCH of its own grant away. Auth0 has no such
 * check. Admins and the CLI are not limited; grants for other APIs are not either.
 */
export function assertNoEscalation(
  admin: Pick<TAdmin, "client">,
  api: { id: string },
  scope: readonly string[],
): void {
  if (!admin.client || !isManagementApi(api)) return;
  const missing = scope.filter((s) => !admin.client!.scopes.includes(s));
  if (missing.length > 0)
    throw new AdminError(
      403,
      `A client may grant only Management API scopes it holds itself; it lacks ${missing.join(", ")}.`,
      { code: "insufficient_scope" },
    );
}
