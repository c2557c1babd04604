import { randomBytes } from "node:crypto";
import type { TDeps } from "../config/deps.ts";
import { sha256Hex } from "../crypto/digest.ts";
import { listClients, type TClientRecord, type TClientWrite } from "../store/clients.ts";
import { listConnections } from "../store/connections.ts";
import {
  listResourceServers,
  type TResourceServerRecord,
  type TResourceServerWrite,
} from "../store/resource-servers.ts";
import type { TMfaPolicy } from "../store/tenant.ts";
import { randomAlphanumeric } from "../crypto/random-id.ts";
import { defaultGrantTypes } from "../oauth/grant-types.ts";
import { checkClientInvariants, defaultAuthMethod, type TClientProblem } from "../oauth/client-settings.ts";
import { SUPPORTED_FACTORS, type TTenantFile } from "./tenant-schema.ts";
import { findDuplicates, invalidFile, type TProblem } from "./read-tenant-file.ts";
import { ZPasswordOptions } from "../auth/connection-settings.ts";
import { zodProblems } from "../platform/zod-issues.ts";
import { planClientGrants, type TClientGrantPlan } from "./plan-client-grants.ts";
import { isManagementApi } from "../management/management-api.ts";

// ─── Planning: every decision is made, and every check passes, before the first write ───────────────────────────

/**
 * Database options that would change how logins work (custom database scripts, lazy migration) but that
 * Portcullis does not run; storing them would suggest they are in force.
 */
const UNSUPPORTED_DATABASE_OPTIONS = [
  "customScripts",
  "enabledDatabaseCustomization",
  "import_mode",
  "configuration",
];

export type TGeneratedCredential = {
  name: string;
  client_id: string;
  /** Present when a secret was generated (confidential clients); public clients get only a client_id. */
  client_secret?: string;
};

type TExisting = {
  clientsByName: Map<string, TClientRecord>;
  clientsByClientId: Map<string, TClientRecord>;
  connectionNames: Set<string>;
  apisByIdentifier: Map<string, TResourceServerRecord>;
  apiIdentifierByName: Map<string, string>;
};

async function loadExisting(deps: TDeps): Promise<TExisting> {
  const [clients, connections, apis] = await Promise.all([
    listClients(deps.db),
    listConnections(deps.db),
    listResourceServers(deps.db),
  ]);
  return {
    clientsByName: new Map(clients.map((c) => [c.name, c])),
    clientsByClientId: new Map(clients.map((c) => [c.clientId, c])),
    connectionNames: new Set(connections.map((c) => c.name)),
    apisByIdentifier: new Map(apis.map((a) => [a.identifier, a])),
    apiIdentifierByName: new Map(apis.map((a) => [a.name, a.identifier])),
  };
}

type TClientPlan = {
  write: TClientWrite;
  clientId: string;
  secret: { hash: string; sealed: string } | undefined;
  generated: TGeneratedCredential | undefined;
  isNew: boolean;
};

type TDatabasePlan = {
  name: string;
  strategy: string | undefined;
  options: Record<string, unknown> | undefined;
  enabledClients: string[] | undefined;
  isNew: boolean;
};

type TApiPlan = { write: TResourceServerWrite; generatedSecret: string | undefined; isNew: boolean };

/** Every write the import will make, decided and checked. */
export type TImportPlan = {
  clients: TClientPlan[];
  databases: TDatabasePlan[];
  apis: TApiPlan[];
  clientGrants: TClientGrantPlan[];
  tenant: { friendlyName?: string; defaultDirectory?: string; defaultAudience?: string | null } | undefined;
  mfa: { mfaPolicy?: TMfaPolicy; mfaOtpEnabled?: boolean; mfaRecoveryCodeEnabled?: boolean } | undefined;
  unsupported: string[];
};

/** Where a broken client invariant points in the deploy-CLI layout (token settings are nested there). */
const CLIENT_FIELD_PATHS: Record<TClientProblem["field"], string> = {
  grant_types: "grant_types",
  is_token_endpoint_ip_header_trusted: "is_token_endpoint_ip_header_trusted",
  refresh_idle_lifetime: "refresh_token.idle_token_lifetime",
};

function planClients(
  deps: TDeps,
  file: TTenantFile,
  existing: TExisting,
  problems: TProblem[],
): TClientPlan[] {
  const clients = file.clients ?? [];
  const names = clients.map((c) => c.name);
  for (const [name, i] of findDuplicates(names))
    problems.push({ path: `clients[${i}].name`, message: `"${name}" appears more than once` });
  const givenIds = clients.map((c) => c.client_id).filter((id): id is string => id !== undefined);
  for (const [id] of findDuplicates(givenIds)) {
    const i = clients.findLastIndex((c) => c.client_id === id);
    problems.push({ path: `clients[${i}].client_id`, message: `"${id}" is given to more than one client` });
  }

  return clients.map((c, i) => {
    const path = `clients[${i}]`;
    const current = existing.clientsByName.get(c.name);
    if (c.client_id !== undefined) {
      if (current && current.clientId !== c.client_id) {
        problems.push({
          path: `${path}.client_id`,
          message: `client "${c.name}" already has client_id "${current.clientId}"; a client_id cannot change`,
        });
      }
      const owner = existing.clientsByClientId.get(c.client_id);
      if (!current && owner) {
        problems.push({
          path: `${path}.client_id`,
          message: `"${c.client_id}" already belongs to client "${owner.name}"`,
        });
      }
    }

    // Effective settings after the import: the file wins, then the stored client, then Auth0's defaults.
    const appType = c.app_type ?? current?.appType ?? "regular_web";
    const method =
      c.token_endpoint_auth_method ?? current?.tokenEndpointAuthMethod ?? defaultAuthMethod(appType);
    const isFirstParty = c.is_first_party ?? current?.isFirstParty ?? true;
    const grantTypes = c.grant_types ?? current?.grantTypes ?? defaultGrantTypes(method === "none");
    for (const broken of checkClientInvariants({
      is_first_party: isFirstParty,
      grant_types: grantTypes,
      token_endpoint_auth_method: method,
      is_token_endpoint_ip_header_trusted:
        c.is_token_endpoint_ip_header_trusted ?? current?.isTokenEndpointIpHeaderTrusted ?? false,
      refresh_token_lifetime: c.refresh_token?.token_lifetime ?? current?.refreshTokenLifetime,
      refresh_idle_lifetime: c.refresh_token?.idle_token_lifetime ?? current?.refreshIdleLifetime,
    }))
      problems.push({ path: `${path}.${CLIENT_FIELD_PATHS[broken.field]}`, message: broken.message });

    // Silent fields keep their stored value on an existing client (deploy-CLI updates are patches).
    const write: TClientWrite = {
      name: c.name,
      description: c.description,
      appType: c.app_type ?? (current ? undefined : appType),
      isFirstParty: c.is_first_party ?? (current ? undefined : isFirstParty),
      tokenEndpointAuthMethod: c.token_endpoint_auth_method ?? (current ? undefined : method),
      grantTypes: c.grant_types ?? (current ? undefined : grantTypes),
      idTokenAlg: c.jwt_configuration?.alg,
      idTokenLifetime: c.jwt_configuration?.lifetime_in_seconds,
      isTokenEndpointIpHeaderTrusted: c.is_token_endpoint_ip_header_trusted,
      clientMetadata: c.client_metadata,
      refreshRotationType: c.refresh_token?.rotation_type,
      refreshLeeway: c.refresh_token?.leeway,
      refreshTokenLifetime: c.refresh_token?.token_lifetime,
      refreshIdleLifetime: c.refresh_token?.idle_token_lifetime,
    };

    const clientId = current?.clientId ?? c.client_id ?? randomAlphanumeric(32);
    let secretText = c.client_secret;
    let generatedSecret: string | undefined;
    // A confidential client without any secret could never authenticate, so it gets one.
    if (secretText === undefined && method !== "none" && !current?.clientSecretHash) {
      generatedSecret = randomBytes(48).toString("base64url");
      secretText = generatedSecret;
    }
    const secret =
      secretText === undefined
        ? undefined
        : { hash: sha256Hex(secretText), sealed: deps.box.seal("client-secret", secretText) };
    const isIdGenerated = !current && c.client_id === undefined;
    const generated =
      isIdGenerated || generatedSecret
        ? {
            name: c.name,
            client_id: clientId,
            ...(generatedSecret ? { client_secret: generatedSecret } : {}),
          }
        : undefined;
    return { write, clientId, secret, generated, isNew: !current };
  });
}

function planApis(deps: TDeps, file: TTenantFile, existing: TExisting, problems: TProblem[]): TApiPlan[] {
  const apis = file.resourceServers ?? [];
  for (const [id, i] of findDuplicates(apis.map((a) => a.identifier))) {
    problems.push({ path: `resourceServers[${i}].identifier`, message: `"${id}" appears more than once` });
  }
  for (const [name, i] of findDuplicates(apis.map((a) => a.name))) {
    problems.push({ path: `resourceServers[${i}].name`, message: `"${name}" appears more than once` });
  }
  return apis.map((a, i) => {
    const current = existing.apisByIdentifier.get(a.identifier);
    if (current && isManagementApi(current))
      problems.push({
        path: `resourceServers[${i}].identifier`,
        message: `"${a.identifier}" is the built-in Management API, which an import cannot change`,
      });
    const holder = existing.apiIdentifierByName.get(a.name);
    if (holder !== undefined && holder !== a.identifier) {
      problems.push({
        path: `resourceServers[${i}].name`,
        message: `"${a.name}" is already the name of the API ${holder}`,
      });
    }
    const alg = a.signing_alg ?? current?.signingAlg ?? "RS256";
    let generatedSecret: string | undefined;
    let signingSecretEnc: string | undefined;
    if (a.signing_secret !== undefined)
      signingSecretEnc = deps.box.seal("api-signing-secret", a.signing_secret);
    else if (alg === "HS256" && !current?.signingSecretEnc) {
      // An HS256 API cannot have tokens issued without a shared secret.
      generatedSecret = randomBytes(48).toString("base64url");
      signingSecretEnc = deps.box.seal("api-signing-secret", generatedSecret);
    }
    const write: TResourceServerWrite = {
      identifier: a.identifier,
      name: a.name,
      scopes: a.scopes,
      tokenLifetime: a.token_lifetime,
      signingAlg: a.signing_alg,
      signingSecretEnc,
      allowOfflineAccess: a.allow_offline_access,
    };
    return { write, generatedSecret, isNew: !current };
  });
}

function planDatabases(
  file: TTenantFile,
  existing: TExisting,
  problems: TProblem[],
  unsupported: string[],
): TDatabasePlan[] {
  const databases = file.databases ?? [];
  for (const [name, i] of findDuplicates(databases.map((d) => d.name))) {
    problems.push({ path: `databases[${i}].name`, message: `"${name}" appears more than once` });
  }
  const fileClientNames = new Set((file.clients ?? []).map((c) => c.name));
  const fileClientIds = new Set((file.clients ?? []).flatMap((c) => (c.client_id ? [c.client_id] : [])));
  return databases.map((d, i) => {
    const enabled = d.enabled_clients ?? [];
    enabled.forEach((ref, j) => {
      const isKnown =
        fileClientNames.has(ref) ||
        fileClientIds.has(ref) ||
        existing.clientsByName.has(ref) ||
        existing.clientsByClientId.has(ref);
      if (!isKnown)
        problems.push({ path: `databases[${i}].enabled_clients[${j}]`, message: `no client named "${ref}"` });
    });
    let options = d.options;
    if (options) {
      const kept: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(options)) {
        if (UNSUPPORTED_DATABASE_OPTIONS.includes(key)) unsupported.push(`databases[${i}].options.${key}`);
        else kept[key] = value;
      }
      options = kept;
      // The password policy options are enforced at every password change: Auth0's shapes only.
      const policy = ZPasswordOptions.safeParse(kept);
      if (!policy.success) problems.push(...zodProblems(policy.error, ["databases", i, "options"]));
    }
    return {
      name: d.name,
      strategy: d.strategy,
      options,
      enabledClients: d.enabled_clients ? [...new Set(d.enabled_clients)] : undefined,
      isNew: !existing.connectionNames.has(d.name),
    };
  });
}

function planTenant(file: TTenantFile, existing: TExisting, problems: TProblem[]): TImportPlan["tenant"] {
  const t = file.tenant;
  if (!t) return undefined;
  if (t.default_directory !== undefined) {
    const known =
      (file.databases ?? []).some((d) => d.name === t.default_directory) ||
      existing.connectionNames.has(t.default_directory);
    if (!known)
      problems.push({
        path: "tenant.default_directory",
        message: `no database connection named "${t.default_directory}"`,
      });
  }
  const audience =
    t.default_audience === undefined ? undefined : t.default_audience === "" ? null : t.default_audience;
  if (audience) {
    const known =
      (file.resourceServers ?? []).some((a) => a.identifier === audience) ||
      existing.apisByIdentifier.has(audience);
    if (!known)
      problems.push({ path: "tenant.default_audience", message: `no API with identifier "${audience}"` });
  }
  return { friendlyName: t.friendly_name, defaultDirectory: t.default_directory, defaultAudience: audience };
}

/** guardianFactors / guardianPolicies → tenant MFA settings. Enabling a factor Portcullis cannot serve fails loudly. */
function planMfa(file: TTenantFile, problems: TProblem[]): TImportPlan["mfa"] {
  if (!file.guardianFactors && !file.guardianPolicies) return undefined;
  const mfa: NonNullable<TImportPlan["mfa"]> = {};
  (file.guardianFactors ?? []).forEach((f, i) => {
    if (f.name === "otp") mfa.mfaOtpEnabled = f.enabled;
    else if (f.name === "recovery-code") mfa.mfaRecoveryCodeEnabled = f.enabled;
    else if (f.enabled)
      problems.push({
        path: `guardianFactors[${i}]`,
        message: `factor "${f.name}" is not supported; Portcullis serves ${SUPPORTED_FACTORS.join(" and ")}`,
      });
  });
  const policies = file.guardianPolicies?.policies;
  if (policies) {
    const unknown = policies.filter((p) => p !== "all-applications");
    if (unknown.length > 0) {
      problems.push({
        path: "guardianPolicies.policies",
        message: `unsupported policy ${unknown.map((p) => `"${p}"`).join(", ")}; use [] (never) or [all-applications] (always)`,
      });
    }
    mfa.mfaPolicy = policies.includes("all-applications") ? "always" : "never";
  }
  return mfa;
}

/**
 * Decide every write of an import and run every check against the file and the stored objects; throws listing
 * every problem, so an invalid file changes nothing. `unsupported` (unknown keys) is extended with ignored options.
 */
export async function planImport(
  deps: TDeps,
  file: TTenantFile,
  unsupported: string[],
): Promise<TImportPlan> {
  const existing = await loadExisting(deps);
  const problems: TProblem[] = [];
  const clients = planClients(deps, file, existing, problems);
  const apis = planApis(deps, file, existing, problems);
  const databases = planDatabases(file, existing, problems, unsupported);
  const clientGrants = planClientGrants(file, existing, problems, unsupported);
  const tenant = planTenant(file, existing, problems);
  const mfa = planMfa(file, problems);
  if (problems.length > 0) throw invalidFile(problems);
  return { clients, apis, clientGrants, databases, tenant, mfa, unsupported };
}
