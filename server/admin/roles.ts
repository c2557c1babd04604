/** Dashboard roles, from most to least powerful. */
export const ROLES = ["owner", "admin", "rules-editor", "security", "viewer"] as const;
export type TRole = (typeof ROLES)[number];

export function isRole(value: unknown): value is TRole {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

const ALL: readonly TRole[] = ROLES;

/**
 * What each role may do, enforced on the server for every page and admin API call. `owner` does everything;
 * `admin` all configuration; `rules-editor` rules, rule settings and actions only; `security` logs, block state,
 * unblocking and MFA resets but no configuration; `viewer` reads.
 */
export const PERMISSIONS = {
  "account:self": ALL,
  "admins:manage": ["owner"],
  "config:read": ["owner", "admin", "security", "viewer"],
  "config:write": ["owner", "admin"],
  "rules:read": ALL,
  "rules:write": ["owner", "admin", "rules-editor"],
  // Actions are the rules' successor: the same people read and change them.
  "actions:read": ALL,
  "actions:write": ["owner", "admin", "rules-editor"],
  "logs:read": ["owner", "admin", "security", "viewer"],
  "users:read": ["owner", "admin", "security", "viewer"],
  "users:write": ["owner", "admin"],
  "users:block": ["owner", "admin", "security"],
  "mfa:reset": ["owner", "admin", "security"],
  "protection:unblock": ["owner", "admin", "security"],
} as const satisfies Record<string, readonly TRole[]>;

export type TAction = keyof typeof PERMISSIONS;

/** Whether `role` may perform `action`. */
export function canPerform(role: TRole, action: TAction): boolean {
  return (PERMISSIONS[action] as readonly TRole[]).includes(role);
}

/**
 * The Management API scopes (Auth0's names) that let a `/api/v2` client perform each use-case action; any one
 * suffices. The routes check the exact scope of each endpoint first; this is the use cases' own second check.
 */
export const ACTION_SCOPES = {
  "account:self": [],
  "admins:manage": [],
  "config:read": ["read:clients", "read:connections", "read:resource_servers", "read:client_grants"],
  "config:write": ["create:client_grants", "update:client_grants", "delete:client_grants"],
  "rules:read": ["read:rules", "read:rules_configs"],
  "rules:write": ["create:rules", "update:rules", "delete:rules", "update:rules_configs", "delete:rules_configs"],
  "actions:read": ["read:actions"],
  "actions:write": ["create:actions", "update:actions", "delete:actions"],
  "logs:read": ["read:logs", "read:logs_users"],
  "users:read": ["read:users"],
  "users:write": [
    "create:users",
    "update:users",
    "delete:users",
    "update:users_app_metadata",
    "create:users_app_metadata",
    "delete:users_app_metadata",
    "create:user_tickets",
  ],
  "users:block": ["update:users"],
  "mfa:reset": ["delete:guardian_enrollments", "update:users"],
  "protection:unblock": ["update:users"],
} as const satisfies Record<TAction, readonly string[]>;

/** Whether a Management API client holding `scopes` may perform `action`. */
export function clientMayPerform(scopes: readonly string[], action: TAction): boolean {
  return (ACTION_SCOPES[action] as readonly string[]).some((s) => scopes.includes(s));
}
