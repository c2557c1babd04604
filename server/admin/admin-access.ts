import { AdminError } from "./admin-error.ts";
import { canPerform, clientMayPerform, type TAction } from "./roles.ts";
import type { TAdmin } from "./session.ts";

/**
 * Refuse (403) an admin whose role does not allow `action`. Use cases call it too, not only the route guard, so
 * no caller (another route, a server action, a script) can skip the role check.
 */
export function assertAdminAllowed(
  admin: Pick<TAdmin, "role"> & Partial<Pick<TAdmin, "mustEnrollTotp" | "client">>,
  action: TAction,
): void {
  if (admin.mustEnrollTotp && action !== "account:self") throw AdminError.forbidden();
  // A Management API client: its scopes decide (its role is the least powerful one).
  if (admin.client) {
    if (!clientMayPerform(admin.client.scopes, action)) throw AdminError.forbidden();
    return;
  }
  if (!canPerform(admin.role, action)) throw AdminError.forbidden();
}
