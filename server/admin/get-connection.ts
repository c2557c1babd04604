import type { TDeps } from "../config/deps.ts";
import { getConnectionsView } from "./directory.ts";
import { assertAdminAllowed } from "./admin-access.ts";
import type { TActor } from "./audit.ts";

/** One connection for its edit screen, with every application name (for the "may use it" list). */
export async function getConnection(deps: TDeps, admin: TActor, connectionId: string) {
  assertAdminAllowed(admin, "config:read");
  const view = await getConnectionsView(deps, admin);
  const connection = view.connections.find((c) => c.id === connectionId);
  if (!connection) return null;
  return {
    ...connection,
    isDefaultDirectory: view.defaultDirectory === connection.name,
    clients: view.clients,
  };
}
