import { z } from "zod";
import { ZBreachedPasswordPatch, ZBruteForcePatch, ZSuspiciousIpPatch } from "../protection/policies.ts";
import { CLIENT_FIELDS } from "../oauth/client-settings.ts";
import { CLIENT_GRANT_FIELDS } from "../oauth/client-grant-settings.ts";
import { CONNECTION_FIELDS } from "../auth/connection-settings.ts";
import { API_FIELDS } from "../auth/api-settings.ts";
import { ZRuleName } from "../admin/rules/check-rule.ts";
import { ZRuleSettingKey } from "../admin/rules/rule-settings.ts";
import {
  ZActionDependencies,
  ZActionName,
  ZActionRuntime,
  ZSupportedTriggers,
} from "../actions/action-settings.ts";

// ─── File format: the YAML of Auth0's deploy CLI (a0deploy), the parts Portcullis acts on ───────────────────────
// Field limits come from the shared client, connection and API validators, so a file is held to the same rules as
// the dashboard and the Management API.

export const ZTenantSettings = z.object({
  friendly_name: z.string().min(1).max(255).optional(),
  default_directory: z.string().min(1).optional(),
  /** An empty string clears the default audience, as in Auth0's tenant settings. */
  default_audience: z.string().optional(),
});

export const ZJwtConfiguration = z.object({
  alg: CLIENT_FIELDS.id_token_alg.optional(),
  lifetime_in_seconds: CLIENT_FIELDS.id_token_lifetime.optional(),
});

export const ZRefreshTokenSettings = z.object({
  rotation_type: CLIENT_FIELDS.refresh_rotation_type.optional(),
  leeway: CLIENT_FIELDS.refresh_leeway.optional(),
  token_lifetime: CLIENT_FIELDS.refresh_token_lifetime.optional(),
  idle_token_lifetime: CLIENT_FIELDS.refresh_idle_lifetime.optional(),
});

export const ZClient = z.object({
  name: CLIENT_FIELDS.name,
  /** Portcullis extension: deploy-CLI files carry no client ids; given here, it is kept for a new client. */
  client_id: CLIENT_FIELDS.client_id.optional(),
  /** Portcullis extension. Stored only as a digest plus a sealed copy, so it must be a high-entropy secret. */
  client_secret: CLIENT_FIELDS.client_secret.optional(),
  description: CLIENT_FIELDS.description.optional(),
  app_type: CLIENT_FIELDS.app_type.optional(),
  is_first_party: CLIENT_FIELDS.is_first_party.optional(),
  token_endpoint_auth_method: CLIENT_FIELDS.token_endpoint_auth_method.optional(),
  grant_types: CLIENT_FIELDS.grant_types.optional(),
  jwt_configuration: ZJwtConfiguration.optional(),
  is_token_endpoint_ip_header_trusted: CLIENT_FIELDS.is_token_endpoint_ip_header_trusted.optional(),
  client_metadata: CLIENT_FIELDS.client_metadata.optional(),
  refresh_token: ZRefreshTokenSettings.optional(),
});

export const ZDatabase = z.object({
  name: CONNECTION_FIELDS.name,
  strategy: z.literal("auth0").optional(),
  /** Client names (client ids are accepted too, as the deploy CLI falls back to them). */
  enabled_clients: CONNECTION_FIELDS.enabled_clients.optional(),
  options: z.record(z.string(), z.unknown()).optional(),
});

export const ZResourceServer = z.object({
  name: API_FIELDS.name,
  identifier: API_FIELDS.identifier,
  scopes: API_FIELDS.scopes.optional(),
  token_lifetime: API_FIELDS.token_lifetime.optional(),
  signing_alg: API_FIELDS.signing_alg.optional(),
  /** Portcullis extension for HS256 APIs; generated when absent. */
  signing_secret: API_FIELDS.signing_secret.optional(),
  allow_offline_access: API_FIELDS.allow_offline_access.optional(),
});

/** auth0-deploy-cli's `attackProtection` section; each policy is merged over the stored one. */
export const ZAttackProtection = z.object({
  bruteForceProtection: ZBruteForcePatch.optional(),
  suspiciousIpThrottling: ZSuspiciousIpPatch.optional(),
  breachedPasswordDetection: ZBreachedPasswordPatch.optional(),
});

/** A rule as auth0-deploy-cli writes it: the script is a file beside the YAML (`./rules/<name>.js`). */
export const ZRuleFile = z.object({
  name: ZRuleName,
  // The path of the script file; the script read from it is checked against ZRuleScript (100 KB) when planning.
  script: z.string().min(1),
  stage: z.literal("login_success").optional(),
  enabled: z.boolean().optional(),
  order: z.number().int().min(0).optional(),
});

/** A rule setting. Exports carry only the key; a value is needed to create a setting. */
export const ZRulesConfig = z.object({ key: ZRuleSettingKey, value: z.string().min(1).max(4096).optional() });

/** Guardian factors as the deploy CLI writes them; Portcullis serves `otp` and `recovery-code`. */
export const ZGuardianFactor = z.object({ name: z.string().min(1), enabled: z.boolean() });
/** `[]` = never, `["all-applications"]` = always (Auth0's adaptive `confidence-score` is not supported). */
export const ZGuardianPolicies = z.object({ policies: z.array(z.string()) });

export const SUPPORTED_FACTORS = ["otp", "recovery-code"];

/**
 * An action as auth0-deploy-cli writes it: `code` is the path of the code file beside the YAML
 * (`./actions/<name>/code.js`). Secrets, the code itself and the flow references are checked when planning, where
 * the stored actions are known (import-actions.ts).
 */
export const ZActionFile = z.object({
  name: ZActionName,
  code: z.string().min(1, "must be the path of the action's code file, e.g. ./actions/<name>/code.js"),
  runtime: ZActionRuntime.optional(),
  dependencies: ZActionDependencies.optional(),
  /** `value` left out (as in an export) keeps the stored value. */
  secrets: z.array(z.object({ name: z.string(), value: z.string().optional() })).optional(),
  supported_triggers: ZSupportedTriggers.optional(),
  /** `true`: the code in the file is deployed (a new version when it differs from the deployed one). */
  deployed: z.boolean().optional(),
  /** Auth0's build status; actions here compile when saved, so it is always `built` and read for nothing. */
  status: z.string().optional(),
});

/**
 * A client grant as auth0-deploy-cli writes it: `client_id` is the client's name (the deploy CLI converts ids to
 * names on export), or its client_id.
 */
export const ZClientGrant = z.object({
  client_id: z.string().min(1, "must name a client"),
  audience: CLIENT_GRANT_FIELDS.audience,
  scope: CLIENT_GRANT_FIELDS.scope,
});

/** One entry of a trigger's flow, in run order. */
export const ZTriggerBinding = z.object({
  action_name: z.string().min(1),
  display_name: z.string().min(1).max(255).optional(),
});

/** Trigger id → ordered bindings. Only post-login runs here; other triggers may only be empty (as a0deploy writes). */
export const ZTriggers = z.record(z.string(), z.array(ZTriggerBinding).nullish());

export const ZTenantFile = z.object({
  tenant: ZTenantSettings.nullish(),
  attackProtection: ZAttackProtection.nullish(),
  guardianFactors: z.array(ZGuardianFactor).nullish(),
  guardianPolicies: ZGuardianPolicies.nullish(),
  clients: z.array(ZClient).nullish(),
  databases: z.array(ZDatabase).nullish(),
  resourceServers: z.array(ZResourceServer).nullish(),
  clientGrants: z.array(ZClientGrant).nullish(),
  rules: z.array(ZRuleFile).nullish(),
  rulesConfigs: z.array(ZRulesConfig).nullish(),
  actions: z.array(ZActionFile).nullish(),
  triggers: ZTriggers.nullish(),
});

export type TTenantFile = z.infer<typeof ZTenantFile>;
/** What an export writes: the file without the secret-bearing extensions. */
export type TTenantFileOut = Omit<
  z.input<typeof ZTenantFile>,
  "clients" | "databases" | "resourceServers" | "rulesConfigs" | "actions"
> & {
  /** Secret names only: values are never exported. Stored runtimes and triggers are written as is. */
  actions?: (Omit<z.input<typeof ZActionFile>, "secrets" | "runtime" | "supported_triggers"> & {
    runtime: string;
    secrets: { name: string }[];
    supported_triggers: { id: string; version: string }[];
  })[];
  /** Keys only: rule setting values are secrets and never exported. */
  rulesConfigs?: { key: string }[];
  /** Stored grant types are written as is, like the strategy below. */
  clients?: (Omit<z.input<typeof ZClient>, "client_secret" | "grant_types"> & { grant_types?: string[] })[];
  /** The stored strategy is written as is, so a connection Portcullis cannot import back fails loudly on import. */
  databases?: (Omit<z.input<typeof ZDatabase>, "strategy"> & { strategy: string })[];
  resourceServers?: Omit<z.input<typeof ZResourceServer>, "signing_secret">[];
};
