import type { TDeps } from "../../config/deps.ts";
import { assertAdminAllowed } from "../../admin/admin-access.ts";
import {
  findResourceServerByIdOrIdentifier,
  listResourceServers,
  type TResourceServerRecord,
} from "../../store/resource-servers.ts";
import type { TManagementCaller } from "../authenticate-management.ts";
import { isManagementApi } from "../management-api.ts";
import { ManagementError } from "../management-error.ts";
import { pageBody, readFieldSelection, readPaging, slicePage } from "../query-params.ts";

/** An API as Auth0's Management API returns it (`GetResourceServers200ResponseOneOfInner`); never its secret. */
export function resourceServerJson(a: TResourceServerRecord): Record<string, unknown> {
  return {
    id: a.id,
    name: a.name,
    identifier: a.identifier,
    is_system: isManagementApi(a),
    scopes: a.scopes.map((s) => ({ value: s.value, description: s.description ?? "" })),
    signing_alg: a.signingAlg,
    allow_offline_access: a.allowOfflineAccess,
    token_lifetime: a.tokenLifetime,
    token_lifetime_for_web: a.tokenLifetime,
    skip_consent_for_verifiable_first_party_clients: true,
    token_dialect: "access_token",
  };
}

/** GET /api/v2/resource-servers: every API (the Management API first, as Auth0 lists its system API), paged. */
export async function listResourceServersPage(deps: TDeps, caller: TManagementCaller, url: URL) {
  assertAdminAllowed(caller, "config:read");
  const paging = readPaging(url);
  const pick = readFieldSelection(url);
  const all = (await listResourceServers(deps.db)).sort(
    (a, b) => Number(isManagementApi(b)) - Number(isManagementApi(a)),
  );
  return pageBody(
    "resource_servers",
    slicePage(all, paging).map((a) => pick(resourceServerJson(a))),
    paging,
    all.length,
  );
}

/** GET /api/v2/resource-servers/{id}: one API by its id or its identifier (Auth0 accepts both). */
export async function getResourceServer(
  deps: TDeps,
  caller: TManagementCaller,
  idOrIdentifier: string,
  url: URL,
) {
  assertAdminAllowed(caller, "config:read");
  const pick = readFieldSelection(url);
  const api = await findResourceServerByIdOrIdentifier(deps.db, idOrIdentifier);
  if (!api)
    throw ManagementError.notFound("The resource server does not exist", "inexistent_resource_server");
  return pick(resourceServerJson(api));
}
