import { stringify } from "yaml";
import type { TDeps } from "../config/deps.ts";
import { listClientDescriptions, listClients } from "../store/clients.ts";
import { listConnections } from "../store/connections.ts";
import { listResourceServers } from "../store/resource-servers.ts";
import { listClientGrants } from "../store/client-grants.ts";
import { getTenant } from "../store/tenant.ts";
import { listRules } from "../store/rules.ts";
import { listRuleSettingKeys } from "../store/rule-settings.ts";
import type { TTenantFileOut } from "./tenant-schema.ts";
import { getAttackProtection } from "../admin/protection/get-attack-protection.ts";
import { CLI_ACTOR, type TActor } from "../admin/audit.ts";
import { exportActions } from "./export-actions.ts";
import { isManagementApi } from "../management/management-api.ts";

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const HEADER = [
  "# Portcullis tenant export in the YAML format of Auth0's deploy CLI (a0deploy).",
  "# Secrets are not included: client secrets and HS256 signing secrets stay in the database. Importing this file",
  "# into an empty database generates new ones (printed once). Rule scripts are files under rules/; rulesConfigs",
  "# lists setting keys only: set their values through the admin API. Action code is in actions/<name>/code.js;",
  "# action secrets are listed by name only (add `value:` to set one; without it the stored value is kept).",
  "",
].join("\n");

/**
 * Export the tenant (settings, clients, databases, resource servers, client grants) as deploy-CLI YAML that importTenant reads
 * back. Client ids are included so apps keep working after a move; secrets never are. Objects are sorted by name,
 * so an unchanged tenant exports to the same text. Reads as `opts.actor` (default: the CLI operator).
 */
export async function exportTenant(deps: TDeps, opts: { actor?: TActor } = {}): Promise<string> {
  return (await exportTenantBundle(deps, opts)).yaml;
}

/** Path of a rule's script beside the YAML, as auth0-deploy-cli lays it out. */
export function ruleScriptPath(name: string): string {
  return `./rules/${name}.js`;
}

/**
 * The tenant YAML plus the rule scripts and action code files it refers to (`files`: path relative to the YAML →
 * text). Rule setting values and action secret values are never exported, only their keys and names.
 */
export async function exportTenantBundle(
  deps: TDeps,
  opts: { actor?: TActor } = {},
): Promise<{ yaml: string; files: Record<string, string> }> {
  const actor = opts.actor ?? CLI_ACTOR;
  const [
    tenant,
    clients,
    descriptions,
    connections,
    apis,
    rules,
    settings,
    bruteForce,
    suspiciousIp,
    breached,
    actions,
    grants,
  ] = await Promise.all([
    getTenant(deps.db),
    listClients(deps.db),
    listClientDescriptions(deps.db),
    listConnections(deps.db),
    listResourceServers(deps.db),
    listRules(deps.db),
    listRuleSettingKeys(deps.db),
    getAttackProtection(deps, actor, "brute-force-protection"),
    getAttackProtection(deps, actor, "suspicious-ip-throttling"),
    getAttackProtection(deps, actor, "breached-password-detection"),
    exportActions(deps),
    listClientGrants(deps.db),
  ]);
  const files: Record<string, string> = { ...actions.files };
  for (const r of rules) files[ruleScriptPath(r.name)] = r.script;
  // Sorted here, by code point, rather than by the database: SQLite and PostgreSQL collate names differently,
  // and the same tenant must export to the same text on both.
  const byName = <T extends { name: string }>(rows: T[]): T[] =>
    [...rows].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const file: TTenantFileOut = {
    tenant: {
      friendly_name: tenant.friendlyName,
      ...(tenant.defaultDirectory ? { default_directory: tenant.defaultDirectory } : {}),
      ...(tenant.defaultAudience ? { default_audience: tenant.defaultAudience } : {}),
    },
    guardianFactors: [
      { name: "otp", enabled: tenant.mfaOtpEnabled },
      { name: "recovery-code", enabled: tenant.mfaRecoveryCodeEnabled },
    ],
    guardianPolicies: { policies: tenant.mfaPolicy === "always" ? ["all-applications"] : [] },
    clients: byName(clients).map((c) => {
      const description = descriptions.get(c.clientId);
      return {
        name: c.name,
        client_id: c.clientId,
        ...(description ? { description } : {}),
        app_type: c.appType as "regular_web" | "spa" | "native" | "non_interactive",
        is_first_party: c.isFirstParty,
        token_endpoint_auth_method: c.tokenEndpointAuthMethod,
        grant_types: c.grantTypes,
        jwt_configuration: { alg: c.idTokenAlg, lifetime_in_seconds: c.idTokenLifetime },
        is_token_endpoint_ip_header_trusted: c.isTokenEndpointIpHeaderTrusted,
        ...(Object.keys(c.clientMetadata).length > 0 ? { client_metadata: c.clientMetadata } : {}),
        refresh_token: {
          rotation_type: c.refreshRotationType,
          leeway: c.refreshLeeway,
          token_lifetime: c.refreshTokenLifetime,
          idle_token_lifetime: c.refreshIdleLifetime,
        },
      };
    }),
    databases: byName(connections).map((d) => ({
      name: d.name,
      strategy: d.strategy,
      enabled_clients: d.enabledClients,
      ...(Object.keys(d.options).length > 0 ? { options: d.options } : {}),
    })),
    // The built-in Management API is no setting (auth0-deploy-cli leaves Auth0's out too); grants for it are.
    resourceServers: byName(apis.filter((a) => !isManagementApi(a))).map((a) => ({
      name: a.name,
      identifier: a.identifier,
      scopes: a.scopes,
      token_lifetime: a.tokenLifetime,
      signing_alg: a.signingAlg,
      allow_offline_access: a.allowOfflineAccess,
    })),
    // As auth0-deploy-cli writes them: the client by name. Sorted by code point (audience, then client name).
    ...(grants.length > 0
      ? {
          clientGrants: [...grants]
            .sort((a, b) => compareText(`${a.audience}\n${a.clientName}`, `${b.audience}\n${b.clientName}`))
            .map((g) => ({ client_id: g.clientName, audience: g.audience, scope: g.scope })),
        }
      : {}),
    attackProtection: {
      bruteForceProtection: bruteForce,
      suspiciousIpThrottling: suspiciousIp,
      breachedPasswordDetection: breached,
    },
    ...(rules.length > 0
      ? {
          rules: rules.map((r) => ({
            name: r.name,
            script: ruleScriptPath(r.name),
            stage: "login_success" as const,
            enabled: r.enabled,
            order: r.order,
          })),
        }
      : {}),
    ...(settings.length > 0 ? { rulesConfigs: settings.map((s) => ({ key: s.key })) } : {}),
    ...(actions.actions ? { actions: actions.actions, triggers: actions.triggers } : {}),
  };
  // lineWidth 0: long values (descriptions, URLs) stay on one line instead of being folded.
  return { yaml: HEADER + stringify(file, { lineWidth: 0 }), files };
}
