import type { TDeps } from "../config/deps.ts";
import { getConnectionsView } from "./directory.ts";

/** One connection for its edit screen, with every application name (for the "may use it" list). */
export async function getConnection(deps: TDeps, connectionId: string) {
  const view = await getConnectionsView(deps);
  const connection = view.connections.find((c) => c.id === connectionId);
  if (!connection) return null;
  return {
    ...connection,
    isDefaultDirectory: view.defaultDirectory === connection.name,
    clients: view.clients,
  };
}
