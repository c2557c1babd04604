import { z } from "zod";
import type { TDeps } from "../config/deps.ts";
import { findClientByClientId, updateClient, type TClientRecord } from "../store/clients.ts";
import { isUniqueViolation } from "../store/raw-sql.ts";
import { listConnections } from "../store/connections.ts";
import { applyApplicationRules, newClientSecret } from "./applications.ts";
import { CLIENT_FIELDS } from "../oauth/client-settings.ts";
import { recordAdminChange } from "./audit.ts";
import { parseAdminInput } from "./parse-admin-input.ts";
import { AdminError } from "./admin-error.ts";
import { assertAdminAllowed } from "./admin-access.ts";
import type { TAdmin } from "./session.ts";

/** PATCH body of an application (Auth0 field names, token lifetimes flattened); every field optional. */
export const ZApplicationPatch = z
  .strictObject({
    name: CLIENT_FIELDS.name,
    app_type: CLIENT_FIELDS.app_type,
    is_first_party: CLIENT_FIELDS.is_first_party,
    token_endpoint_auth_method: CLIENT_FIELDS.token_endpoint_auth_method,
    grant_types: CLIENT_FIELDS.grant_types,
    is_token_endpoint_ip_header_trusted: CLIENT_FIELDS.is_token_endpoint_ip_header_trusted,
    /** Connection names enabled for the application. */
    connections: CLIENT_FIELDS.connections,
    id_token_lifetime: CLIENT_FIELDS.id_token_lifetime,
    refresh_token_lifetime: CLIENT_FIELDS.refresh_token_lifetime,
    refresh_idle_lifetime: CLIENT_FIELDS.refresh_idle_lifetime,
    refresh_rotation_type: CLIENT_FIELDS.refresh_rotation_type,
    refresh_leeway: CLIENT_FIELDS.refresh_leeway,
  })
  .partial();

/** The editable view of an application (no secrets), as the form and the audit record show it. */
export function editableApplication(c: TClientRecord, connectionNames: Map<string, string>) {
  return {
    name: c.name,
    app_type: c.appType,
    is_first_party: c.isFirstParty,
    token_endpoint_auth_method: c.tokenEndpointAuthMethod,
    grant_types: c.grantTypes,
    is_token_endpoint_ip_header_trusted: c.isTokenEndpointIpHeaderTrusted,
    connections: c.connectionIds.map((id) => connectionNames.get(id) ?? id).sort(),
    id_token_lifetime: c.idTokenLifetime,
    refresh_token_lifetime: c.refreshTokenLifetime,
    refresh_idle_lifetime: c.refreshIdleLifetime,
    refresh_rotation_type: c.refreshRotationType,
    refresh_leeway: c.refreshLeeway,
  };
}

/**
 * Edit an application (PATCH semantics): the merged result must pass the same rules as a new application.
 * Switching from public to a secret method issues a secret, returned here once; switching to public removes it.
 * Audited with before and after (never a secret); in force within the 1 s config cache.
 */
export async function updateApplication(
  deps: TDeps,
  admin: TAdmin,
  clientId: string,
  body: unknown,
): Promise<{ client_id: string; client_secret?: string }> {
  assertAdminAllowed(admin, "config:write");
  const patch = parseAdminInput(ZApplicationPatch, body);
  const client = await findClientByClientId(deps.db, clientId);
  if (!client) throw AdminError.notFound("No such application.");
  const connections = await listConnections(deps.db);
  const names = new Map(connections.map((c) => [c.id, c.name]));
  const before = editableApplication(client, names);
  const after = applyApplicationRules({ ...before, ...patch });
  const unknown = after.connections.filter((n) => !connections.some((c) => c.name === n));
  if (unknown.length > 0) {
    const message = `Unknown connection: ${unknown.join(", ")}`;
    throw AdminError.invalid(message, { fields: { connections: message } });
  }
  const wasPublic = client.tokenEndpointAuthMethod === "none";
  const isPublic = after.token_endpoint_auth_method === "none";
  // A public client must hold no secret (nothing would check it); a newly confidential one needs one.
  const secret = isPublic ? null : wasPublic || !client.clientSecretHash ? newClientSecret() : undefined;
  const now = deps.clock.now();
  try {
    await deps.db.transaction(async (tx) => {
      await updateClient(
        tx,
        clientId,
        {
          name: after.name,
          appType: after.app_type,
          isFirstParty: after.is_first_party,
          tokenEndpointAuthMethod: after.token_endpoint_auth_method,
          grantTypes: after.grant_types,
          isTokenEndpointIpHeaderTrusted: after.is_token_endpoint_ip_header_trusted,
          idTokenLifetime: after.id_token_lifetime,
          refreshTokenLifetime: after.refresh_token_lifetime,
          refreshIdleLifetime: after.refresh_idle_lifetime,
          refreshRotationType: after.refresh_rotation_type,
          refreshLeeway: after.refresh_leeway,
        },
        now,
        connections.filter((c) => after.connections.includes(c.name)).map((c) => c.id),
        secret === undefined || secret === null
          ? secret
          : { hash: secret.hash, sealed: deps.box.seal("client-secret", secret.secret) },
      );
      await recordAdminChange(tx, now, admin, {
        action: "update application",
        target: clientId,
        before,
        after: {
          ...after,
          connections: [...after.connections].sort(),
          ...(secret ? { secret_issued: true } : {}),
        },
      });
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      const message = `An application named "${after.name}" already exists.`;
      throw AdminError.conflict(message, { fields: { name: message } });
    }
    throw err;
  }
  deps.config.clear();
  return { client_id: clientId, ...(secret ? { client_secret: secret.secret } : {}) };
}
