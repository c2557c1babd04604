import { ACTION_SECRET_COLUMNS } from "./action-secrets.ts";
import { ACTION_VERSION_COLUMNS } from "./action-versions.ts";
import { ACTION_COLUMNS } from "./actions.ts";
import { ADMIN_USER_COLUMNS } from "./admin-users.ts";
import { ATTACK_PROTECTION_COLUMNS } from "./attack-protection.ts";
import { CLIENT_GRANT_COLUMNS } from "./client-grants.ts";
import { CLIENT_COLUMNS } from "./clients.ts";
import { CONNECTION_CLIENT_COLUMNS } from "./connection-clients.ts";
import { CONNECTION_COLUMNS } from "./connections.ts";
import { FLOW_BINDING_COLUMNS } from "./flow-bindings.ts";
import { IP_THROTTLE_COLUMNS } from "./ip-throttles.ts";
import { LOGIN_FAILURE_COLUMNS } from "./login-failures.ts";
import { LOG_EVENT_COLUMNS } from "./logs.ts";
import { MFA_AUTHENTICATOR_COLUMNS } from "./mfa-authenticators.ts";
import { MFA_THROTTLE_COLUMNS } from "./mfa-throttles.ts";
import { NOTIFICATION_CLAIM_COLUMNS } from "./notification-claims.ts";
import { NOTIFICATION_COLUMNS } from "./notifications.ts";
import { PASSWORD_HISTORY_COLUMNS } from "./password-history.ts";
import { REFRESH_TOKEN_COLUMNS } from "./refresh-tokens.ts";
import { RESOURCE_SERVER_COLUMNS } from "./resource-servers.ts";
import { RULE_SETTING_COLUMNS } from "./rule-settings.ts";
import { RULE_VERSION_COLUMNS } from "./rule-versions.ts";
import { RULE_COLUMNS } from "./rules.ts";
import { SIGNING_KEY_COLUMNS } from "./signing-keys.ts";
import { TENANT_COLUMNS } from "./tenant.ts";
import { UNBLOCK_LINK_USE_COLUMNS } from "./unblock-link-uses.ts";
import { USER_COLUMNS } from "./users.ts";
import { ACCOUNT_TICKET_COLUMNS } from "./account-tickets.ts";
import { SEND_LIMIT_COLUMNS } from "./send-limits.ts";

/**
 * Every table the store queries, by its Prisma model name, with the columns its module names (in schema order).
 * `tables.test.ts` checks this against the Prisma schema and the migrated databases, so the plain SQL of the
 * store cannot drift from the schema: a column added to a model fails the test until its module lists it.
 */
export const STORE_TABLES = {
  Tenant: TENANT_COLUMNS,
  Client: CLIENT_COLUMNS,
  ClientGrant: CLIENT_GRANT_COLUMNS,
  Connection: CONNECTION_COLUMNS,
  ConnectionClient: CONNECTION_CLIENT_COLUMNS,
  User: USER_COLUMNS,
  ResourceServer: RESOURCE_SERVER_COLUMNS,
  RefreshToken: REFRESH_TOKEN_COLUMNS,
  SigningKey: SIGNING_KEY_COLUMNS,
  LogEvent: LOG_EVENT_COLUMNS,
  AdminUser: ADMIN_USER_COLUMNS,
  AttackProtection: ATTACK_PROTECTION_COLUMNS,
  LoginFailure: LOGIN_FAILURE_COLUMNS,
  IpThrottle: IP_THROTTLE_COLUMNS,
  NotificationClaim: NOTIFICATION_CLAIM_COLUMNS,
  UnblockLinkUse: UNBLOCK_LINK_USE_COLUMNS,
  Notification: NOTIFICATION_COLUMNS,
  Rule: RULE_COLUMNS,
  RuleVersion: RULE_VERSION_COLUMNS,
  RuleSetting: RULE_SETTING_COLUMNS,
  Action: ACTION_COLUMNS,
  ActionVersion: ACTION_VERSION_COLUMNS,
  ActionSecret: ACTION_SECRET_COLUMNS,
  FlowBinding: FLOW_BINDING_COLUMNS,
  MfaAuthenticator: MFA_AUTHENTICATOR_COLUMNS,
  MfaThrottle: MFA_THROTTLE_COLUMNS,
  AccountTicket: ACCOUNT_TICKET_COLUMNS,
  SendLimit: SEND_LIMIT_COLUMNS,
  PasswordHistory: PASSWORD_HISTORY_COLUMNS,
} as const satisfies Record<string, readonly string[]>;

export type TTableName = keyof typeof STORE_TABLES;
