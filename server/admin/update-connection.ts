import { z } from "zod";
import type { TDeps } from "../config/deps.ts";
import { listClients } from "../store/clients.ts";
import {
  findConnectionByConnectionId,
  listConnections,
  updateConnection as updateConnectionRow,
} from "../store/connections.ts";
import { getTenant, updateTenant } from "../store/tenant.ts";
import { isUniqueViolation } from "../store/raw-sql.ts";
import { recordAdminChange } from "./audit.ts";
import {
  CONNECTION_FIELDS,
  PASSWORD_OPTION_KEYS,
  ZPasswordOptions,
  type TPasswordOptions,
} from "../auth/connection-settings.ts";
import { readPasswordOptions } from "../auth/password-policy.ts";
import { parseAdminInput } from "./parse-admin-input.ts";
import { AdminError } from "./admin-error.ts";
import { assertAdminAllowed } from "./admin-access.ts";
import type { TAdmin } from "./session.ts";

/**
 * PATCH body of a connection: its name (the realm), the applications that may use it, default directory, and its
 * password options and signup switch (`options`, Auth0's names; each key given replaces the stored one).
 */
export const ZConnectionPatch = z
  .strictObject({
    name: CONNECTION_FIELDS.name,
    enabled_clients: CONNECTION_FIELDS.enabled_clients,
    is_default_directory: z.boolean(),
    options: ZPasswordOptions.strict(),
  })
  .partial();

/**
 * Edit a connection (PATCH semantics), its password policy included. Renaming changes the realm clients must send; the tenant's default
 * directory follows the rename. Clearing `is_default_directory` leaves the tenant without one (grant_type=password
 * then needs a realm). Audited with before and after.
 */
export async function updateConnection(
  deps: TDeps,
  admin: TAdmin,
  connectionId: string,
  body: unknown,
): Promise<{ id: string; name: string }> {
  assertAdminAllowed(admin, "config:write");
  const patch = parseAdminInput(ZConnectionPatch, body);
  const connection = await findConnectionByConnectionId(deps.db, connectionId);
  if (!connection) throw AdminError.notFound("No such connection.");
  const [clients, tenant, connections] = await Promise.all([
    listClients(deps.db),
    getTenant(deps.db),
    listConnections(deps.db),
  ]);
  const current = connections.find((c) => c.id === connection.id);
  const before = {
    name: connection.name,
    enabled_clients: current?.enabledClients ?? [],
    is_default_directory: tenant.defaultDirectory === connection.name,
    options: readPasswordOptions(connection.options) as TPasswordOptions,
  };
  const after = {
    ...before,
    ...patch,
    enabled_clients: [...(patch.enabled_clients ?? before.enabled_clients)].sort(),
    options: { ...before.options, ...patch.options },
  };
  // Other options (imported from Auth0) stay as they are; the password keys given replace theirs.
  let options: Record<string, unknown> | undefined;
  if (patch.options) {
    options = { ...connection.options };
    for (const key of PASSWORD_OPTION_KEYS) if (key in patch.options) options[key] = patch.options[key];
  }
  const unknown = after.enabled_clients.filter((n) => !clients.some((c) => c.name === n));
  if (unknown.length > 0) {
    const message = `Unknown application: ${unknown.join(", ")}`;
    throw AdminError.invalid(message, { fields: { enabled_clients: message } });
  }
  const now = deps.clock.now();
  try {
    await deps.db.transaction(async (tx) => {
      await updateConnectionRow(
        tx,
        connection.id,
        { name: after.name, options },
        now,
        patch.enabled_clients
          ? clients.filter((c) => after.enabled_clients.includes(c.name)).map((c) => c.id)
          : undefined,
      );
      if (after.is_default_directory) await updateTenant(tx, { defaultDirectory: after.name }, now);
      else if (before.is_default_directory) await updateTenant(tx, { defaultDirectory: null }, now);
      await recordAdminChange(tx, now, admin, {
        action: "update connection",
        target: connectionId,
        before,
        after,
      });
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      const message = `A connection named "${after.name}" already exists.`;
      throw AdminError.conflict(message, { fields: { name: message } });
    }
    throw err;
  }
  deps.config.clear();
  return { id: connectionId, name: after.name };
}
