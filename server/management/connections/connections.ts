import type { TDeps } from "../../config/deps.ts";
import { assertAdminAllowed } from "../../admin/admin-access.ts";
import { readPasswordOptions } from "../../auth/password-policy.ts";
import { listClients } from "../../store/clients.ts";
import { listConnections, type TConnectionRecord } from "../../store/connections.ts";
import type { TManagementCaller } from "../authenticate-management.ts";
import { ManagementError } from "../management-error.ts";
import { pageBody, readFieldSelection, readPaging, readText, slicePage } from "../query-params.ts";

// /api/v2/connections, read only: Portcullis's database connections in Auth0's connection object.

/**
 * Plain settings of a database connection that say nothing secret. An imported connection's options may hold
 * anything Auth0 exported (custom database scripts, their `configuration` secrets), so only the password options
 * and these are answered.
 */
const PLAIN_OPTIONS = [
  "brute_force_protection",
  "requires_username",
  "import_mode",
  "disable_self_service_change_password",
  "strategy_version",
] as const;

/** A connection's options as the Management API shows them: its password policy and plain flags, nothing else. */
function publicOptions(options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...readPasswordOptions(options) };
  for (const key of PLAIN_OPTIONS) {
    const v = options[key];
    if (typeof v === "boolean" || typeof v === "number") out[key] = v;
  }
  return out;
}

/** A connection as Auth0 returns it (`Connection`); `enabled_clients` are client_ids. */
export function auth0Connection(c: TConnectionRecord, enabledClients: string[]) {
  return {
    id: c.connectionId,
    name: c.name,
    display_name: c.name,
    strategy: c.strategy,
    options: publicOptions(c.options),
    enabled_clients: enabledClients,
    realms: [c.name],
    is_domain_connection: false,
    metadata: {},
  };
}

/** Every connection in Auth0's shape, sorted by name (code point, the same on both databases). */
async function allConnections(deps: TDeps) {
  const [connections, clients] = await Promise.all([listConnections(deps.db), listClients(deps.db)]);
  const byConnection = new Map<string, string[]>();
  for (const client of clients)
    for (const id of client.connectionIds)
      byConnection.set(id, [...(byConnection.get(id) ?? []), client.clientId]);
  return connections
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((c) => auth0Connection(c, (byConnection.get(c.id) ?? []).sort()));
}

/** GET /api/v2/connections: `strategy` (repeatable), `name`, paging, field selection. */
export async function listConnectionsPage(deps: TDeps, caller: TManagementCaller, url: URL) {
  assertAdminAllowed(caller, "config:read");
  const paging = readPaging(url);
  const pick = readFieldSelection(url);
  const name = readText(url, "name", 128);
  const strategies = url.searchParams.getAll("strategy").filter(Boolean);
  if (strategies.some((s) => s.length > 128))
    throw ManagementError.invalidQuery("Query validation error: 'String is too long' on property strategy.");
  const all = (await allConnections(deps)).filter(
    (c) =>
      (name === undefined || c.name === name) && (strategies.length === 0 || strategies.includes(c.strategy)),
  );
  return pageBody(
    "connections",
    slicePage(all, paging).map((c) => pick(c)),
    paging,
    all.length,
  );
}

/** GET /api/v2/connections/{id}: one connection by its id (con_…). */
export async function getConnectionById(deps: TDeps, caller: TManagementCaller, id: string, url: URL) {
  assertAdminAllowed(caller, "config:read");
  const pick = readFieldSelection(url);
  const connection = (await allConnections(deps)).find((c) => c.id === id);
  if (!connection) throw ManagementError.notFound("The connection does not exist.", "inexistent_connection");
  return pick(connection);
}
