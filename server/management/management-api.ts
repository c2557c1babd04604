import type { TSqlRunner } from "../store/raw-sql.ts";
import { putSystemResourceServer } from "../store/resource-servers.ts";
import { isUniqueViolation } from "../store/raw-sql.ts";
import type { TLogger } from "../platform/logger.ts";

// The Management API (`/api/v2`) as a resource server: a built-in API whose identifier is
// `${PUBLIC_URL}/api/v2/` (Auth0's `https://{tenant}/api/v2/`, the audience node-auth0's ManagementClient asks
// for), whose scopes carry Auth0's names. Clients get tokens for it with client_credentials and a client grant.

/** The Management API's fixed internal id (so a changed PUBLIC_URL renames it instead of adding a second one). */
export const MANAGEMENT_API_ID = "portcullis-management-api";
export const MANAGEMENT_API_NAME = "Portcullis Management API";
/** Auth0's default lifetime of Management API tokens: 24 hours. */
export const MANAGEMENT_TOKEN_LIFETIME = 86_400;

/** The Management API's identifier (token audience) for a server whose public URL is `publicUrl`. */
export function managementAudience(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/api/v2/`;
}

/** Auth0's Management API scopes that Portcullis's `/api/v2` endpoints check, with Auth0's descriptions. */
export const MANAGEMENT_SCOPES = [
  { value: "read:users", description: "Read Users" },
  { value: "update:users", description: "Update Users" },
  { value: "delete:users", description: "Delete Users" },
  { value: "create:users", description: "Create Users" },
  { value: "read:users_app_metadata", description: "Read Users App Metadata" },
  { value: "update:users_app_metadata", description: "Update Users App Metadata" },
  { value: "delete:users_app_metadata", description: "Delete Users App Metadata" },
  { value: "create:users_app_metadata", description: "Create Users App Metadata" },
  { value: "create:user_tickets", description: "Create User Tickets" },
  { value: "delete:guardian_enrollments", description: "Delete Guardian Enrollments" },
  { value: "read:logs", description: "Read Logs" },
  { value: "read:logs_users", description: "Read logs relating to users" },
  { value: "read:rules", description: "Read Rules" },
  { value: "create:rules", description: "Create Rules" },
  { value: "update:rules", description: "Update Rules" },
  { value: "delete:rules", description: "Delete Rules" },
  { value: "read:rules_configs", description: "Read Rules Configs" },
  { value: "update:rules_configs", description: "Update Rules Configs" },
  { value: "delete:rules_configs", description: "Delete Rules Configs" },
  { value: "read:actions", description: "Read Actions" },
  { value: "create:actions", description: "Create Actions" },
  { value: "update:actions", description: "Update Actions" },
  { value: "delete:actions", description: "Delete Actions" },
  { value: "read:clients", description: "Read Clients" },
  { value: "read:client_keys", description: "Read Client Keys" },
  { value: "read:connections", description: "Read Connections" },
  { value: "read:resource_servers", description: "Read Resource Servers" },
  { value: "read:client_grants", description: "Read Client Grants" },
  { value: "create:client_grants", description: "Create Client Grants" },
  { value: "update:client_grants", description: "Update Client Grants" },
  { value: "delete:client_grants", description: "Delete Client Grants" },
] as const;

export type TManagementScope = (typeof MANAGEMENT_SCOPES)[number]["value"];

/** Whether an API (by internal id) is the built-in Management API, which the dashboard and imports do not change. */
export function isManagementApi(api: { id: string }): boolean {
  return api.id === MANAGEMENT_API_ID;
}

/**
 * Make sure the Management API exists with the current identifier and scope list (every server start). When the
 * public URL changed since, the API and its client grants move to the new identifier. When a user-made API already
 * holds the identifier, it is left alone and a warning says the Management API is unavailable until it is renamed.
 */
export async function ensureManagementApi(
  db: TSqlRunner,
  publicUrl: string,
  now: Date,
  log: Pick<TLogger, "warn" | "info">,
): Promise<void> {
  const identifier = managementAudience(publicUrl);
  try {
    const { previousIdentifier } = await putSystemResourceServer(
      db,
      MANAGEMENT_API_ID,
      {
        identifier,
        name: MANAGEMENT_API_NAME,
        scopes: MANAGEMENT_SCOPES.map((s) => ({ ...s })),
        tokenLifetime: MANAGEMENT_TOKEN_LIFETIME,
      },
      now,
    );
    if (previousIdentifier && previousIdentifier !== identifier)
      log.info(
        { from: previousIdentifier, to: identifier },
        "the Management API's identifier follows the new PUBLIC_URL (its client grants moved with it)",
      );
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    log.warn(
      { identifier },
      "an API created by an admin already uses the Management API's identifier: /api/v2 accepts no tokens until it is renamed",
    );
  }
}
