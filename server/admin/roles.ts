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
