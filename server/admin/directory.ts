import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { TDeps } from "../config/deps.ts";
import { listClients } from "../store/clients.ts";
import { createConnection as insertConnection, listConnections } from "../store/connections.ts";
import { createResourceServer, listResourceServers } from "../store/resource-servers.ts";
import { getTenant, updateTenant } from "../store/tenant.ts";
import { isUniqueViolation } from "../store/raw-sql.ts";
import { randomAlphanumeric } from "../crypto/random-id.ts";
import { recordAdminChange } from "./audit.ts";
import { AdminError } from "./admin-error.ts";
import { parseAdminInput as parse } from "./parse-admin-input.ts";
import { assertAdminAllowed } from "./admin-access.ts";
import type { TActor } from "./audit.ts";
import { isManagementApi } from "../management/management-api.ts";
import type { TAdmin } from "./session.ts";
import { CONNECTION_FIELDS } from "../auth/connection-settings.ts";
import { API_FIELDS, MAX_API_SCOPES, ZScopeValue } from "../auth/api-settings.ts";

/** Connections screen: every connection, its enabled applications, and which one is the default directory. */
export async function getConnectionsView(deps: TDeps, admin: TActor) {
  assertAdminAllowed(admin, "config:read");
  const [connections, tenant, clients] = await Promise.all([
    listConnections(deps.db),
    getTenant(deps.db),
    listClients(deps.db),
  ]);
  return {
    defaultDirectory: tenant.defaultDirectory,
    connections: connections.map((c) => ({
      id: c.connectionId,
      name: c.name,
      strategy: c.strategy,
      enabledClients: c.enabledClients,
    })),
    clients: clients.map((c) => c.name),
  };
}

export const ZConnectionInput = z.object({
  name: CONNECTION_FIELDS.name,
  enabled_clients: CONNECTION_FIELDS.enabled_clients.default([]),
  is_default_directory: z.boolean().default(false),
});

/** Create a database connection (realm), optionally as the tenant's default directory. */
export async function createConnection(
  deps: TDeps,
  admin: TAdmin,
  body: unknown,
): Promise<{ id: string; name: string }> {
  assertAdminAllowed(admin, "config:write");
  const input = parse(ZConnectionInput, body);
  const clients = await listClients(deps.db);
  const unknown = input.enabled_clients.filter((n) => !clients.some((c) => c.name === n));
  if (unknown.length) throw AdminError.invalid(`Unknown application: ${unknown.join(", ")}`);
  const id = `con_${randomAlphanumeric(16)}`;
  const now = deps.clock.now();
  try {
    await deps.db.transaction(async (tx) => {
      await insertConnection(
        tx,
        { name: input.name, connectionId: id },
        clients.filter((c) => input.enabled_clients.includes(c.name)).map((c) => c.id),
        now,
      );
      if (input.is_default_directory) await updateTenant(tx, { defaultDirectory: input.name }, now);
      await recordAdminChange(tx, now, admin, { action: "create connection", target: id, after: input });
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw AdminError.conflict(`A connection named "${input.name}" already exists.`);
    throw err;
  }
  deps.config.clear();
  return { id, name: input.name };
}

/** Make an existing connection the default directory used by grant_type=password. */
export async function setDefaultDirectory(deps: TDeps, admin: TAdmin, name: string): Promise<void> {
  assertAdminAllowed(admin, "config:write");
  const connections = await listConnections(deps.db);
  if (!connections.some((c) => c.name === name)) throw AdminError.notFound("No such connection.");
  const before = (await getTenant(deps.db)).defaultDirectory;
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await updateTenant(tx, { defaultDirectory: name }, now);
    await recordAdminChange(tx, now, admin, {
      action: "set default directory",
      target: "tenant",
      before: { default_directory: before },
      after: { default_directory: name },
    });
  });
  deps.config.clear();
}

/** APIs screen: every API with its settings (signing secrets never leave the server). */
export async function getApisView(deps: TDeps, admin: TActor) {
  assertAdminAllowed(admin, "config:read");
  const [apis, tenant] = await Promise.all([listResourceServers(deps.db), getTenant(deps.db)]);
  return {
    defaultAudience: tenant.defaultAudience,
    apis: apis.map((a) => ({
      id: a.id,
      identifier: a.identifier,
      name: a.name,
      scopes: a.scopes,
      tokenLifetime: a.tokenLifetime,
      signingAlg: a.signingAlg,
      allowOfflineAccess: a.allowOfflineAccess,
      isSystem: isManagementApi(a),
    })),
  };
}

/** What the dashboard's "Create API" form sends: scopes as bare values. */
export const ZApiInput = z.object({
  name: API_FIELDS.name,
  identifier: API_FIELDS.identifier,
  scopes: z.array(ZScopeValue).max(MAX_API_SCOPES).default([]),
  token_lifetime: API_FIELDS.token_lifetime.default(86400),
  signing_alg: API_FIELDS.signing_alg.default("RS256"),
  allow_offline_access: API_FIELDS.allow_offline_access.default(false),
});

/** Create an API (resource server). An HS256 API gets a signing secret, returned once. */
export async function createApi(
  deps: TDeps,
  admin: TAdmin,
  body: unknown,
): Promise<{ identifier: string; signing_secret?: string }> {
  assertAdminAllowed(admin, "config:write");
  const input = parse(ZApiInput, body);
  const secret = input.signing_alg === "HS256" ? randomBytes(48).toString("base64url") : undefined;
  const now = deps.clock.now();
  try {
    await deps.db.transaction(async (tx) => {
      await createResourceServer(
        tx,
        {
          identifier: input.identifier,
          name: input.name,
          scopes: [...new Set(input.scopes)].map((value) => ({ value })),
          tokenLifetime: input.token_lifetime,
          signingAlg: input.signing_alg,
          signingSecretEnc: secret ? deps.box.seal("api-signing-secret", secret) : null,
          allowOfflineAccess: input.allow_offline_access,
        },
        now,
      );
      await recordAdminChange(tx, now, admin, {
        action: "create api",
        target: input.identifier,
        after: input,
      });
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw AdminError.conflict("An API with that name or identifier already exists.");
    throw err;
  }
  deps.config.clear();
  return { identifier: input.identifier, ...(secret ? { signing_secret: secret } : {}) };
}
