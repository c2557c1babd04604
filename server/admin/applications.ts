import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { TDeps } from "../config/deps.ts";
import { sha256Hex } from "../crypto/digest.ts";
import { createClient, deleteClient, findClientByClientId, setClientSecret } from "../store/clients.ts";
import { listConnections } from "../store/connections.ts";
import { randomAlphanumeric } from "../crypto/random-id.ts";
import { recordAdminChange } from "./audit.ts";
import { AdminError } from "./admin-error.ts";
import type { TAdmin } from "./session.ts";
import { isUniqueViolation } from "../store/raw-sql.ts";

const PASSWORD_REALM = "http://auth0.com/oauth/grant-type/password-realm";
const MFA_GRANTS = [
  "http://auth0.com/oauth/grant-type/mfa-oob",
  "http://auth0.com/oauth/grant-type/mfa-otp",
  "http://auth0.com/oauth/grant-type/mfa-recovery-code",
];
export const KNOWN_GRANTS = [
  "password",
  PASSWORD_REALM,
  "refresh_token",
  "authorization_code",
  "client_credentials",
  "implicit",
  ...MFA_GRANTS,
];

/** What the dashboard's "Create application" form sends (Auth0 field names). */
export const ZApplicationInput = z.object({
  name: z.string().trim().min(1).max(128),
  app_type: z.enum(["regular_web", "spa", "native", "non_interactive"]),
  is_first_party: z.boolean(),
  token_endpoint_auth_method: z.enum(["none", "client_secret_post", "client_secret_basic"]),
  grant_types: z.array(z.enum(KNOWN_GRANTS as [string, ...string[]])).max(16),
  is_token_endpoint_ip_header_trusted: z.boolean().default(false),
  connections: z.array(z.string()).max(50).default([]),
});
export type TApplicationInput = z.infer<typeof ZApplicationInput>;

function parseInput(body: unknown): TApplicationInput {
  const parsed = ZApplicationInput.safeParse(body);
  if (!parsed.success) {
    throw AdminError.invalid(
      parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "),
    );
  }
  return applyApplicationRules(parsed.data);
}

/**
 * The rules every application must satisfy, on creation and on every edit: grant implications (as in Auth0's
 * dashboard, the Password toggle brings the realm grant and the MFA toggle all three MFA grants), no password or
 * MFA grants for third parties, and no trusted IP header without a secret. Returns the normalized grants.
 */
export function applyApplicationRules<T extends Omit<TApplicationInput, "name" | "app_type" | "connections">>(
  a: T,
): T {
  const grants = new Set(a.grant_types);
  if (grants.has("password")) grants.add(PASSWORD_REALM);
  if (MFA_GRANTS.some((g) => grants.has(g))) for (const g of MFA_GRANTS) grants.add(g);
  if (!a.is_first_party && ["password", PASSWORD_REALM, ...MFA_GRANTS].some((g) => grants.has(g))) {
    const message = "Third-party applications may not use the password or MFA grants.";
    throw AdminError.invalid(message, { fields: { grant_types: message } });
  }
  if (a.token_endpoint_auth_method === "none" && a.is_token_endpoint_ip_header_trusted) {
    const message =
      "Only applications that authenticate with a secret may trust the token endpoint IP header.";
    throw AdminError.invalid(message, { fields: { is_token_endpoint_ip_header_trusted: message } });
  }
  return { ...a, grant_types: [...grants] };
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
  const client = await findClientByClientId(deps.db, clientId);
  if (!client) throw AdminError.notFound("No such application.");
  if (client.tokenEndpointAuthMethod === "none")
    throw AdminError.invalid("Public applications have no secret.");
  const secret = newClientSecret();
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await setClientSecret(tx, clientId, secret.hash, deps.box.seal("client-secret", secret.secret));
    await recordAdminChange(tx, now, admin, { action: "rotate client secret", target: clientId });
  });
  deps.config.clear();
  return { client_secret: secret.secret };
}

/** Delete an application and everything issued to it (refresh tokens). */
export async function deleteApplication(deps: TDeps, admin: TAdmin, clientId: string): Promise<void> {
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
