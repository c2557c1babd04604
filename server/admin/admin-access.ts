import { canPerform, type TAction } from "./roles.ts";
import type { TAdmin } from "./session.ts";

export class AdminAccessError extends Error {
  constructor(readonly status: 401 | 403) {
    super(status === 401 ? "Sign in required" : "Not allowed for your role");
  }
}

/**
 * A bad admin request (validation, conflict, not found): its message is safe to show. `fields` names the form
 * fields at fault (field → message), so the dashboard can show each problem next to its control.
 */
export class AdminInputError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 409 = 400,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}

/**
 * Refuse (403) an admin whose role does not allow `action`. Use cases call it too, not only the route guard, so
 * no caller (another route, a server action, a script) can skip the role check.
 */
export function assertAdminAllowed(admin: Pick<TAdmin, "role" | "mustEnrollTotp">, action: TAction): void {
  if (admin.mustEnrollTotp && action !== "account:self") throw new AdminAccessError(403);
  if (!canPerform(admin.role, action)) throw new AdminAccessError(403);
}
