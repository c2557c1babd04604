import type { TDeps } from "../config/deps.ts";
import { findClientByClientId } from "../store/clients.ts";
import { listConnections } from "../store/connections.ts";
import { editableApplication } from "./update-application.ts";
import { assertAdminAllowed } from "./admin-access.ts";
import type { TActor } from "./audit.ts";

/** One application for its edit screen: editable settings, whether it has a secret, every connection name. */
export async function getApplication(deps: TDeps, admin: TActor, clientId: string) {
  assertAdminAllowed(admin, "config:read");
  const [client, connections] = await Promise.all([
    findClientByClientId(deps.db, clientId),
    listConnections(deps.db),
  ]);
  if (!client) return null;
  return {
    client_id: client.clientId,
    has_secret: Boolean(client.clientSecretHash),
    settings: editableApplication(client, new Map(connections.map((c) => [c.id, c.name]))),
    all_connections: connections.map((c) => c.name),
  };
}
