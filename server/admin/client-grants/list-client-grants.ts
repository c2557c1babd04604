import type { TDeps } from "../../config/deps.ts";
import { findClientByClientId } from "../../store/clients.ts";
import { listClientGrants as listStored } from "../../store/client-grants.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import type { TAdmin } from "../session.ts";
import { clientGrantJson, type TClientGrantJson } from "./client-grant-json.ts";

/** Client grants, optionally of one API (`audience`) or one application (`client_id`), as Auth0 lists them. */
export async function listClientGrants(
  deps: TDeps,
  admin: TAdmin,
  filter: { audience?: string; client_id?: string } = {},
): Promise<TClientGrantJson[]> {
  assertAdminAllowed(admin, "config:read");
  let clientId: string | undefined;
  if (filter.client_id !== undefined) {
    const client = await findClientByClientId(deps.db, filter.client_id);
    if (!client) return [];
    clientId = client.id;
  }
  const grants = await listStored(deps.db, { audience: filter.audience, clientId });
  return grants.map(clientGrantJson);
}
