import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { TDeps } from "../config/deps.ts";
import { sha256Hex } from "../crypto/digest.ts";
import { createClient, deleteClient, findClientByClientId, setClientSecret } from "../store/clients.ts";
import { listConnections } from "../store/connections.ts";
import { randomAlphanumeric } from "../crypto/random-id.ts";
import { recordAdminChange } from "./audit.ts";
import { AdminError } from "./admin-error.ts";
import { parseAdminInput } from "./parse-admin-input.ts";
import { assertAdminAllowed } from "./admin-access.ts";
import type { TAdmin } from "./session.ts";
import { isUniqueViolation } from "../store/raw-sql.ts";
import { withGrantGroups } from "../oauth/grant-types.ts";
import {
  CLIENT_FIELDS,
  checkClientInvariants,
  type TClientInvariantInput,
} from "../oauth/client-settings.ts";

/** What the dashboard's "Create application" form sends (Auth0 field names). */
export const ZApplicationInput = z.object({
  name: CLIENT_FIELDS.name,
  app_type: CLIENT_FIELDS.app_type,
  is_first_party: CLIENT_FIELDS.is_first_party,
  token_endpoint_auth_method: CLIENT_FIELDS.token_endpoint_auth_method,
  grant_types: CLIENT_FIELDS.grant_types,
  is_token_endpoint_ip_header_trusted: CLIENT_FIELDS.is_token_endpoint_ip_header_trusted.default(false),
  connections: CLIENT_FIELDS.connections.default([]),
});
export type TApplicationInput = z.infer<typeof ZApplicationInput>;

function parseInput(body: unknown) {
  return applyApplicationRules(parseAdminInput(ZApplicationInput, body));
}

/**
 * The dashboard's checks of an application, on creation and on every edit: the client invariants every writer
 * shares (checkClientInvariants; each broken one is reported on its field), then the dashboard's grant toggles
 * (the Password toggle brings the realm grant, the MFA toggle all three MFA grants). Returns the expanded grants.
 */
export function applyApplicationRules<T extends TClientInvariantInput>(a: T): T & { grant_types: string[] } {
  const problems = checkClientInvariants(a);
  if (problems.length > 0)
    throw AdminError.invalid(problems.map((p) => p.message).join("; "), {
      fields: Object.fromEntries(problems.map((p) => [p.field, p.message])),
    });
  return { ...a, grant_types: withGrantGroups(a.grant_types) };
}

/** A new client secret and its digest. */
export function newClientSecret() {
  const secret = randomBytes(48).toString("base64url");
  return { secret, hash: sha256Hex(secret) };
}

/** Create an application; a confidential one gets a secret, returned here once and never again. */
export async function createApplication(
  deps: TDeps,
  admin: TAdmin,
  body: unknown,
): Promise<{ client_id: string; client_secret?: string }> {
  assertAdminAllowed(admin, "config:write");
  const a = parseInput(body);
  const connections = await listConnections(deps.db);
  const unknown = a.connections.filter((n) => !connections.some((c) => c.name === n));
  if (unknown.length > 0) throw AdminError.invalid(`Unknown connection: ${unknown.join(", ")}`);
  const clientId = randomAlphanumeric(32);
  const secret = a.token_endpoint_auth_method === "none" ? null : newClientSecret();
  const now = deps.clock.now();
  try {
    await deps.db.transaction(async (tx) => {
      await createClient(
        tx,
        {
          name: a.name,
          appType: a.app_type,
          isFirstParty: a.is_first_party,
          tokenEndpointAuthMethod: a.token_endpoint_auth_method,
          grantTypes: a.grant_types,
          isTokenEndpointIpHeaderTrusted: a.is_token_endpoint_ip_header_trusted,
          clientId,
          clientSecretHash: secret?.hash ?? null,
          clientSecretEnc: secret ? deps.box.seal("client-secret", secret.secret) : null,
        },
        connections.filter((c) => a.connections.includes(c.name)).map((c) => c.id),
        now,
      );
      await recordAdminChange(tx, now, admin, {
        action: "create application",
        target: clientId,
        after: { ...a, client_id: clientId },
      });
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw AdminError.conflict(`An application named "${a.name}" already exists.`);
    throw err;
  }
  deps.config.clear();
  return { client_id: clientId, ...(secret ? { client_secret: secret.secret } : {}) };
}

/** Replace a confidential application's secret; the old one stops working at once (within the 1 s cache). */
export async function rotateClientSecret(
  deps: TDeps,
  admin: TAdmin,
  clientId: string,
): Promise<{ client_secret: string }> {
  assertAdminAllowed(admin, "config:write");
  const client = await findClientByClientId(deps.db, clientId);
  if (!client) throw AdminError.notFound("No such application.");
  if (client.tokenEndpointAuthMethod === "none")
    throw AdminError.invalid("Public applications have no secret.");
  const secret = newClientSecret();
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await setClientSecret(tx, clientId, secret.hash, deps.box.seal("client-secret", secret.secret), now);
    await recordAdminChange(tx, now, admin, { action: "rotate client secret", target: clientId });
  });
  deps.config.clear();
  return { client_secret: secret.secret };
}

/** Delete an application and everything issued to it (refresh tokens). */
export async function deleteApplication(deps: TDeps, admin: TAdmin, clientId: string): Promise<void> {
  assertAdminAllowed(admin, "config:write");
  const client = await findClientByClientId(deps.db, clientId);
  if (!client) throw AdminError.notFound("No such application.");
  const now = deps.clock.now();
  const { clientSecretHash: _h, clientSecretEnc: _e, ...before } = client;
  await deps.db.transaction(async (tx) => {
    await deleteClient(tx, clientId);
    await recordAdminChange(tx, now, admin, { action: "delete application", target: clientId, before });
  });
  deps.config.clear();
}
