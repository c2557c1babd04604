import type { TDeps } from "../config/deps.ts";
import { getConnectionsView } from "./directory.ts";
import { assertAdminAllowed } from "./admin-access.ts";
import type { TActor } from "./audit.ts";
import { findConnectionByConnectionId } from "../store/connections.ts";
import { describePasswordPolicy, readPasswordOptions } from "../auth/password-policy.ts";

/**
 * One connection for its edit screen, with every application name (for the "may use it" list), its password options
 * (Auth0's names) and the strength rules they make.
 */
export async function getConnection(deps: TDeps, admin: TActor, connectionId: string) {
  assertAdminAllowed(admin, "config:read");
  const view = await getConnectionsView(deps, admin);
  const connection = view.connections.find((c) => c.id === connectionId);
  const stored = connection ? await findConnectionByConnectionId(deps.db, connectionId) : null;
  if (!connection || !stored) return null;
  return {
    ...connection,
    passwordOptions: readPasswordOptions(stored.options),
    passwordRules: describePasswordPolicy(stored),
    isDefaultDirectory: view.defaultDirectory === connection.name,
    clients: view.clients,
  };
}
