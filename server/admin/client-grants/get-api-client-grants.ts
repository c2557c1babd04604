import type { TDeps } from "../../config/deps.ts";
import { listClients } from "../../store/clients.ts";
import { listClientGrants } from "../../store/client-grants.ts";
import { findResourceServerByIdOrIdentifier } from "../../store/resource-servers.ts";
import { CLIENT_CREDENTIALS } from "../../oauth/grant-types.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import type { TActor } from "../audit.ts";
import type { TClientGrantRow } from "./get-application-client-grants.ts";

/**
 * The API screen's machine-to-machine section: every confidential application (public ones cannot use
 * client_credentials) with its grant for this API, if any. Null when there is no such API.
 */
export async function getApiClientGrants(
  deps: TDeps,
  admin: TActor,
  idOrIdentifier: string,
): Promise<TClientGrantRow[] | null> {
  assertAdminAllowed(admin, "config:read");
  const api = await findResourceServerByIdOrIdentifier(deps.db, idOrIdentifier);
  if (!api) return null;
  const [clients, grants] = await Promise.all([
    listClients(deps.db),
    listClientGrants(deps.db, { audience: api.identifier }),
  ]);
  const byClient = new Map(grants.map((g) => [g.clientId, g]));
  return clients
    .filter((c) => c.tokenEndpointAuthMethod !== "none")
    .map((c) => {
      const g = byClient.get(c.id);
      return {
        label: c.name,
        clientId: c.clientId,
        audience: api.identifier,
        available: api.scopes.map((s) => s.value),
        grant: g ? { id: g.id, scope: g.scope } : null,
        hasGrantType: c.grantTypes.includes(CLIENT_CREDENTIALS),
      };
    });
}
