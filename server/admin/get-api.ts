import type { TDeps } from "../config/deps.ts";
import { findResourceServerByIdOrIdentifier } from "../store/resource-servers.ts";

/** One API for its edit screen (the signing secret never leaves the server). */
export async function getApi(deps: TDeps, idOrIdentifier: string) {
  const a = await findResourceServerByIdOrIdentifier(deps.sql, idOrIdentifier);
  if (!a) return null;
  return {
    id: a.id,
    identifier: a.identifier,
    name: a.name,
    scopes: a.scopes,
    tokenLifetime: a.tokenLifetime,
    signingAlg: a.signingAlg,
    allowOfflineAccess: a.allowOfflineAccess,
  };
}
