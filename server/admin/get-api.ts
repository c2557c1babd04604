import type { TDeps } from "../config/deps.ts";
import { findResourceServerByIdOrIdentifier } from "../store/resource-servers.ts";
import { assertAdminAllowed } from "./admin-access.ts";
import type { TActor } from "./audit.ts";
import { isManagementApi } from "../management/management-api.ts";

/** One API for its edit screen (the signing secret never leaves the server). */
export async function getApi(deps: TDeps, admin: TActor, idOrIdentifier: string) {
  assertAdminAllowed(admin, "config:read");
  const a = await findResourceServerByIdOrIdentifier(deps.db, idOrIdentifier);
  if (!a) return null;
  return {
    id: a.id,
    identifier: a.identifier,
    name: a.name,
    scopes: a.scopes,
    tokenLifetime: a.tokenLifetime,
    signingAlg: a.signingAlg,
    allowOfflineAccess: a.allowOfflineAccess,
    isSystem: isManagementApi(a),
  };
}
