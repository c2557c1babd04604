import type { TDeps } from "../../config/deps.ts";
import { findClientByClientId } from "../../store/clients.ts";
import { listClientGrants } from "../../store/client-grants.ts";
import { listResourceServers } from "../../store/resource-servers.ts";
import { CLIENT_CREDENTIALS } from "../../oauth/grant-types.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import type { TActor } from "../audit.ts";

/** One application × API pair of the client-grant editors (the API and application screens). */
export type TClientGrantRow = {
  /** What the row names: the application (on the API screen) or the API (on the application screen). */
  label: string;
  clientId: string;
  audience: string;
  /** The API's scopes, which a grant may hand out. */
  available: string[];
  grant: { id: string; scope: string[] } | null;
  /** Whether the application holds the client_credentials grant type (without it, a grant gives no token). */
  hasGrantType: boolean;
};

/**
 * The application screen's API access section: every API with this application's grant for it, if any. Empty for
 * a public application (it cannot use client_credentials); null when there is no such application.
 */
export async function getApplicationClientGrants(
  deps: TDeps,
  admin: TActor,
  clientId: string,
): Promise<TClientGrantRow[] | null> {
  assertAdminAllowed(admin, "config:read");
  const client = await findClientByClientId(deps.db, clientId);
  if (!client) return null;
  if (client.tokenEndpointAuthMethod === "none") return [];
  const [apis, grants] = await Promise.all([
    listResourceServers(deps.db),
    listClientGrants(deps.db, { clientId: client.id }),
  ]);
  const byAudience = new Map(grants.map((g) => [g.audience, g]));
  return apis.map((a) => {
    const g = byAudience.get(a.identifier);
    return {
      label: a.name,
      clientId: client.clientId,
      audience: a.identifier,
      available: a.scopes.map((s) => s.value),
      grant: g ? { id: g.id, scope: g.scope } : null,
      hasGrantType: client.grantTypes.includes(CLIENT_CREDENTIALS),
    };
  });
}
