import type { TDeps } from "../../config/deps.ts";
import { assertAdminAllowed } from "../../admin/admin-access.ts";
import { APP_TYPES } from "../../oauth/client-settings.ts";
import {
  findClientByClientId,
  listClientDescriptions,
  listClients,
  type TClientRecord,
} from "../../store/clients.ts";
import type { TManagementCaller } from "../authenticate-management.ts";
import { ManagementError } from "../management-error.ts";
import {
  pageBody,
  readBoolean,
  readFieldSelection,
  readPaging,
  readText,
  slicePage,
} from "../query-params.ts";

// /api/v2/clients, read only. The answer is built from an explicit list of fields: a client's secret (its hash,
// its sealed value) is never part of it, whatever the caller's scopes (read:client_keys included).

/** A client as Auth0's Management API returns it (`Client`), for the settings Portcullis stores. */
export function auth0Client(c: TClientRecord, description: string) {
  return {
    client_id: c.clientId,
    name: c.name,
    description,
    app_type: c.appType,
    is_first_party: c.isFirstParty,
    global: false,
    oidc_conformant: true,
    token_endpoint_auth_method: c.tokenEndpointAuthMethod,
    grant_types: c.grantTypes,
    jwt_configuration: { alg: c.idTokenAlg, lifetime_in_seconds: c.idTokenLifetime, secret_encoded: false },
    is_token_endpoint_ip_header_trusted: c.isTokenEndpointIpHeaderTrusted,
    client_metadata: c.clientMetadata,
    refresh_token: {
      rotation_type: c.refreshRotationType,
      expiration_type: "expiring",
      leeway: c.refreshLeeway,
      token_lifetime: c.refreshTokenLifetime,
      idle_token_lifetime: c.refreshIdleLifetime,
      infinite_token_lifetime: false,
      infinite_idle_token_lifetime: false,
    },
  };
}

function readAppTypes(url: URL): Set<string> | undefined {
  const raw = readText(url, "app_type", 256);
  if (raw === undefined) return undefined;
  const types = raw.split(",").map((t) => t.trim());
  const bad = types.find((t) => !(APP_TYPES as readonly string[]).includes(t));
  if (bad !== undefined)
    throw ManagementError.invalidQuery(
      `Query validation error: 'Invalid value "${bad.slice(0, 40)}", expected one of ${APP_TYPES.join(", ")}' on property app_type.`,
    );
  return new Set(types);
}

/** GET /api/v2/clients: `app_type` (comma-separated), `is_first_party`, paging, field selection. */
export async function listClientsPage(deps: TDeps, caller: TManagementCaller, url: URL) {
  assertAdminAllowed(caller, "config:read");
  const paging = readPaging(url);
  const pick = readFieldSelection(url);
  const appTypes = readAppTypes(url);
  const firstParty = url.searchParams.get("is_first_party")
    ? readBoolean(url, "is_first_party", true)
    : undefined;
  const [clients, descriptions] = await Promise.all([listClients(deps.db), listClientDescriptions(deps.db)]);
  // Sorted here by code point: SQLite and PostgreSQL collate names differently, and a page must be the same on both.
  const all = clients
    .filter(
      (c) =>
        (!appTypes || appTypes.has(c.appType)) && (firstParty === undefined || c.isFirstParty === firstParty),
    )
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.clientId < b.clientId ? -1 : 1));
  return pageBody(
    "clients",
    slicePage(all, paging).map((c) => pick(auth0Client(c, descriptions.get(c.clientId) ?? ""))),
    paging,
    all.length,
  );
}

/** GET /api/v2/clients/{id}: one client by its client_id. */
export async function getClientById(deps: TDeps, caller: TManagementCaller, clientId: string, url: URL) {
  assertAdminAllowed(caller, "config:read");
  const pick = readFieldSelection(url);
  const client = await findClientByClientId(deps.db, clientId);
  if (!client) throw ManagementError.notFound("The client does not exist.", "inexistent_client");
  const description = (await listClientDescriptions(deps.db)).get(client.clientId) ?? "";
  return pick(auth0Client(client, description));
}
