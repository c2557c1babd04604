import { randomBytes } from "node:crypto";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { TDeps } from "../config/deps.ts";
import { sha256Hex } from "../crypto/digest.ts";
import { listClients, upsertClientByName, type TClientRecord, type TClientWrite } from "../store/clients.ts";
import { listConnections, upsertConnectionByName } from "../store/connections.ts";
import {
  listResourceServers,
  upsertResourceServer,
  type TResourceServerRecord,
  type TResourceServerWrite,
} from "../store/resource-servers.ts";
import { updateTenant, type TMfaPolicy } from "../store/tenant.ts";
import { ZBreachedPasswordPatch, ZBruteForcePatch, ZSuspiciousIpPatch } from "../protection/policies.ts";
import { updateAttackProtection } from "../admin/protection/update-attack-protection.ts";
import { randomAlphanumeric } from "../crypto/random-id.ts";
import { formatPath } from "../platform/format-issue-path.ts";
import { CLI_ACTOR, recordAdminChange, type TActor } from "../admin/audit.ts";
import { createRule } from "../admin/rules/create-rule.ts";
import { updateRule } from "../admin/rules/update-rule.ts";
import { setRuleSetting } from "../admin/rules/rule-settings.ts";
import { findRuleByName } from "../store/rules.ts";
import { listRuleSettingKeys } from "../store/rule-settings.ts";
import { ZRuleName, ZRuleScript } from "../admin/rules/check-rule.ts";
import { ZRuleSettingKey } from "../admin/rules/rule-settings.ts";

// ─── File format: the YAML of Auth0's deploy CLI (a0deploy), the parts Portcullis acts on ───────────────────────

const PASSWORD_REALM = "http://auth0.com/oauth/grant-type/password-realm";
/** Grants Auth0 refuses to third-party clients (contract §2). */
const FIRST_PARTY_ONLY_GRANTS = [
  "password",
  PASSWORD_REALM,
  "http://auth0.com/oauth/grant-type/mfa-oob",
  "http://auth0.com/oauth/grant-type/mfa-otp",
  "http://auth0.com/oauth/grant-type/mfa-recovery-code",
];
/** Auth0's maximum access-token lifetime for an API (contract §1.5). */
const MAX_API_TOKEN_LIFETIME = 2_592_000;
// Auth0 connection names: letters, digits and single inner hyphens.
const CONNECTION_NAME_RE = /^[A-Za-z0-9](?:-?[A-Za-z0-9])*$/;
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

const ZSeconds = z.number().int().positive();

export const ZTenantSettings = z.object({
  friendly_name: z.string().min(1).max(255).optional(),
  default_directory: z.string().min(1).optional(),
  /** An empty string clears the default audience, as in Auth0's tenant settings. */
  default_audience: z.string().optional(),
});

export const ZJwtConfiguration = z.object({
  alg: z.enum(["RS256", "HS256"]).optional(),
  lifetime_in_seconds: ZSeconds.optional(),
});

export const ZRefreshTokenSettings = z.object({
  rotation_type: z.enum(["rotating", "non-rotating"]).optional(),
  leeway: z.number().int().min(0).optional(),
  token_lifetime: ZSeconds.optional(),
  idle_token_lifetime: ZSeconds.optional(),
});

export const ZClient = z.object({
  name: z.string().min(1).max(128),
  /** Portcullis extension: deploy-CLI files carry no client ids; given here, it is kept for a new client. */
  client_id: z
    .string()
    .regex(/^[A-Za-z0-9._~-]{1,128}$/, "must be 1 to 128 letters, digits or . _ ~ -")
    .optional(),
  /** Portcullis extension. Stored only as a digest plus a sealed copy, so it must be a high-entropy secret. */
  client_secret: z.string().min(32, "must be at least 32 characters").max(512).optional(),
  description: z.string().max(140).optional(),
  app_type: z.enum(["regular_web", "spa", "native", "non_interactive"]).optional(),
  is_first_party: z.boolean().optional(),
  token_endpoint_auth_method: z.enum(["none", "client_secret_post", "client_secret_basic"]).optional(),
  grant_types: z.array(z.string().min(1)).optional(),
  jwt_configuration: ZJwtConfiguration.optional(),
  is_token_endpoint_ip_header_trusted: z.boolean().optional(),
  client_metadata: z.record(z.string(), z.string().max(255)).optional(),
  refresh_token: ZRefreshTokenSettings.optional(),
});

export const ZDatabase = z.object({
  name: z
    .string()
    .max(128)
    .regex(CONNECTION_NAME_RE, "must be letters, digits and single hyphens, not starting or ending with one"),
  strategy: z.literal("auth0").optional(),
  /** Client names (client ids are accepted too, as the deploy CLI falls back to them). */
  enabled_clients: z.array(z.string().min(1)).optional(),
  options: z.record(z.string(), z.unknown()).optional(),
});

export const ZScope = z.object({
  value: z.string().min(1).max(280).regex(/^\S+$/, "must not contain spaces"),
  description: z.string().max(500).optional(),
});

export const ZResourceServer = z.object({
  name: z.string().min(1).max(200),
  identifier: z.string().min(1).max(600),
  scopes: z.array(ZScope).optional(),
  token_lifetime: z.number().int().min(1).max(MAX_API_TOKEN_LIFETIME).optional(),
  signing_alg: z.enum(["RS256", "HS256"]).optional(),
  /** Portcullis extension for HS256 APIs; generated when absent. */
  signing_secret: z.string().min(16, "must be at least 16 characters").optional(),
  allow_offline_access: z.boolean().optional(),
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

const SUPPORTED_FACTORS = ["otp", "recovery-code"];

export const ZTenantFile = z.object({
  tenant: ZTenantSettings.nullish(),
  attackProtection: ZAttackProtection.nullish(),
  guardianFactors: z.array(ZGuardianFactor).nullish(),
  guardianPolicies: ZGuardianPolicies.nullish(),
  clients: z.array(ZClient).nullish(),
  databases: z.array(ZDatabase).nullish(),
  resourceServers: z.array(ZResourceServer).nullish(),
  rules: z.array(ZRuleFile).nullish(),
  rulesConfigs: z.array(ZRulesConfig).nullish(),
});

export type TTenantFile = z.infer<typeof ZTenantFile>;
/** What an export writes: the file without the secret-bearing extensions. */
export type TTenantFileOut = Omit<
  z.input<typeof ZTenantFile>,
  "clients" | "databases" | "resourceServers" | "rulesConfigs"
> & {
  /** Keys only: rule setting values are secrets and never exported. */
  rulesConfigs?: { key: string }[];
  clients?: Omit<z.input<typeof ZClient>, "client_secret">[];
  /** The stored strategy is written as is, so a connection Portcullis cannot import back fails loudly on import. */
  databases?: (Omit<z.input<typeof ZDatabase>, "strategy"> & { strategy: string })[];
  resourceServers?: Omit<z.input<typeof ZResourceServer>, "signing_secret">[];
};

export type TGeneratedCredential = {
  name: string;
  client_id: string;
  /** Present when a secret was generated (confidential clients); public clients get only a client_id. */
  client_secret?: string;
};

export type TTenantImportReport = {
  created: string[];
  updated: string[];
  /** Paths of keys that Portcullis does not support and ignored, e.g. `clients[2].callbacks`. */
  unsupported: string[];
  /** Client ids and secrets generated by this import; they are not stored in readable form, so print them once. */
  generatedCredentials: TGeneratedCredential[];
  /** Signing secrets generated for HS256 APIs (the API needs it to verify tokens); printed once. */
  generatedSigningSecrets: { identifier: string; signing_secret: string }[];
};

// ─── Helpers shared with the user import ─────────────────────────────────────────────────────────────────────

/** `length` characters drawn uniformly from [A-Za-z0-9]; bytes ≥ 248 are dropped so no character is favoured. */

function unwrapSchema(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault)
    s = s.unwrap() as z.ZodType;
  return s;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Paths of keys in `value` that `schema` does not declare. Zod strips them silently; a tenant file must never
 * lose settings without saying so. Records (metadata, options) are free-form and not descended into.
 */
function collectUnknownFields(schema: z.ZodType, value: unknown, path: PropertyKey[], out: string[]): void {
  const s = unwrapSchema(schema);
  if (s instanceof z.ZodObject) {
    if (!isPlainObject(value)) return;
    const shape = s.shape as Record<string, z.ZodType>;
    for (const [key, v] of Object.entries(value)) {
      const child = Object.hasOwn(shape, key) ? shape[key] : undefined;
      if (child) collectUnknownFields(child, v, [...path, key], out);
      else out.push(formatPath([...path, key]));
    }
  } else if (s instanceof z.ZodArray) {
    if (!Array.isArray(value)) return;
    const element = s.element as z.ZodType;
    value.forEach((v, i) => collectUnknownFields(element, v, [...path, i], out));
  }
}

type TProblem = { path: string; message: string };

function invalidFile(problems: TProblem[]): Error {
  const lines = problems.map((p) => `  ${p.path}: ${p.message}`);
  return new Error(`Invalid tenant file (nothing was changed):\n${lines.join("\n")}`);
}

function parseTenantYaml(text: string): unknown {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new Error(
      `Invalid tenant file (nothing was changed): ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  // An empty file is an empty tenant description, not an error.
  if (raw === null || raw === undefined) return {};
  if (!isPlainObject(raw))
    throw invalidFile([{ path: "(root)", message: "must be a mapping of sections (tenant, clients, …)" }]);
  return raw;
}

// ─── Planning: every decision is made, and every check passes, before the first write ───────────────────────────

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

type TPlan = {
  clients: TClientPlan[];
  databases: TDatabasePlan[];
  apis: TApiPlan[];
  tenant: { friendlyName?: string; defaultDirectory?: string; defaultAudience?: string | null } | undefined;
  mfa: { mfaPolicy?: TMfaPolicy; mfaOtpEnabled?: boolean; mfaRecoveryCodeEnabled?: boolean } | undefined;
  unsupported: string[];
};

/** Auth0: public (SPA, native) apps authenticate with no secret; everything else with a secret in the body. */
function defaultAuthMethod(appType: string): TClientRecord["tokenEndpointAuthMethod"] {
  return appType === "spa" || appType === "native" ? "none" : "client_secret_post";
}

/** Auth0's grants for clients created without a list (contract §2: the password grant is never a default). */
function defaultGrantTypes(method: TClientRecord["tokenEndpointAuthMethod"]): string[] {
  const base = ["implicit", "authorization_code", "refresh_token"];
  return method === "none" ? base : [...base, "client_credentials"];
}

function findDuplicates(values: string[]): Map<string, number> {
  const seen = new Set<string>();
  const dups = new Map<string, number>();
  values.forEach((v, i) => {
    if (seen.has(v) && !dups.has(v)) dups.set(v, i);
    seen.add(v);
  });
  return dups;
}

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
    const grantTypes = c.grant_types ?? current?.grantTypes ?? defaultGrantTypes(method);
    const isIpHeaderTrusted =
      c.is_token_endpoint_ip_header_trusted ?? current?.isTokenEndpointIpHeaderTrusted ?? false;
    const tokenLifetime = c.refresh_token?.token_lifetime ?? current?.refreshTokenLifetime;
    const idleLifetime = c.refresh_token?.idle_token_lifetime ?? current?.refreshIdleLifetime;

    if (!isFirstParty) {
      const refused = grantTypes.filter((g) => FIRST_PARTY_ONLY_GRANTS.includes(g));
      if (refused.length > 0) {
        problems.push({
          path: `${path}.grant_types`,
          message: `a third-party client (is_first_party: false) cannot use ${refused.join(", ")}`,
        });
      }
    }
    if (isIpHeaderTrusted && method === "none") {
      problems.push({
        path: `${path}.is_token_endpoint_ip_header_trusted`,
        message:
          "only a confidential client (token_endpoint_auth_method other than none) may be trusted to forward end-user IPs",
      });
    }
    if (tokenLifetime !== undefined && idleLifetime !== undefined && idleLifetime > tokenLifetime) {
      problems.push({
        path: `${path}.refresh_token.idle_token_lifetime`,
        message: "must not exceed refresh_token.token_lifetime",
      });
    }

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

function planTenant(file: TTenantFile, existing: TExisting, problems: TProblem[]): TPlan["tenant"] {
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
function planMfa(file: TTenantFile, problems: TProblem[]): TPlan["mfa"] {
  if (!file.guardianFactors && !file.guardianPolicies) return undefined;
  const mfa: NonNullable<TPlan["mfa"]> = {};
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

function planImport(deps: TDeps, raw: unknown, file: TTenantFile, existing: TExisting): TPlan {
  const problems: TProblem[] = [];
  const unsupported: string[] = [];
  collectUnknownFields(ZTenantFile, raw, [], unsupported);
  const clients = planClients(deps, file, existing, problems);
  const apis = planApis(deps, file, existing, problems);
  const databases = planDatabases(file, existing, problems, unsupported);
  const tenant = planTenant(file, existing, problems);
  const mfa = planMfa(file, problems);
  if (problems.length > 0) throw invalidFile(problems);
  return { clients, apis, databases, tenant, mfa, unsupported };
}

// ─── Import ─────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * Apply a tenant file in auth0-deploy-cli YAML format, idempotently: clients and databases are matched by name,
 * resource servers by identifier, and fields the file leaves out keep their stored values. The whole file is
 * validated (schema, references, conflicts with stored objects) before anything is written; an invalid file throws
 * an Error listing every problem and changes nothing. Unsupported keys are reported, never silently dropped.
 */
export async function importTenant(
  deps: TDeps,
  yamlText: string,
  opts: { baseDir?: string; actor?: TActor } = {},
): Promise<TTenantImportReport> {
  const actor = opts.actor ?? CLI_ACTOR;
  const raw = parseTenantYaml(yamlText);
  const parsed = ZTenantFile.safeParse(raw);
  if (!parsed.success) {
    throw invalidFile(
      parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })),
    );
  }
  const plan = planImport(deps, raw, parsed.data, await loadExisting(deps));
  const rulesPlan = await planRules(deps, parsed.data, opts.baseDir);

  const report: TTenantImportReport = {
    created: [],
    updated: [],
    unsupported: plan.unsupported,
    generatedCredentials: [],
    generatedSigningSecrets: [],
  };
  const note = (isNew: boolean, label: string) => (isNew ? report.created : report.updated).push(label);
  try {
    // Clients first: connections refer to them.
    const clientIdsByRef = new Map<string, string>();
    for (const c of await listClients(deps.db)) {
      clientIdsByRef.set(c.name, c.id);
      clientIdsByRef.set(c.clientId, c.id);
    }
    for (const c of plan.clients) {
      const row = await upsertClientByName(deps.db, c.write, { clientId: c.clientId }, c.secret);
      clientIdsByRef.set(c.write.name, row.id);
      clientIdsByRef.set(row.clientId, row.id);
      note(row.created, `client "${c.write.name}"`);
      if (c.generated) report.generatedCredentials.push(c.generated);
    }
    for (const a of plan.apis) {
      const row = await upsertResourceServer(deps.db, a.write);
      note(row.created, `resourceServer "${a.write.identifier}"`);
      if (a.generatedSecret)
        report.generatedSigningSecrets.push({
          identifier: a.write.identifier,
          signing_secret: a.generatedSecret,
        });
    }
    for (const d of plan.databases) {
      const enabledIds = d.enabledClients?.map((ref) => {
        const id = clientIdsByRef.get(ref);
        // Checked during planning; reaching this means the clients changed underneath the import.
        if (!id) throw new Error(`Client "${ref}" disappeared during the import of database "${d.name}".`);
        return id;
      });
      const row = await upsertConnectionByName(
        deps.db,
        { name: d.name, strategy: d.strategy, options: d.options },
        { connectionId: `con_${randomAlphanumeric(16)}` },
        enabledIds,
      );
      note(row.created, `database "${d.name}"`);
    }
    if (plan.tenant) {
      await updateTenant(deps.db, plan.tenant);
      report.updated.push("tenant");
    }
    const ap = parsed.data.attackProtection;
    if (ap?.bruteForceProtection) {
      await updateAttackProtection(deps, actor, "brute-force-protection", ap.bruteForceProtection);
      report.updated.push("attackProtection.bruteForceProtection");
    }
    if (ap?.suspiciousIpThrottling) {
      await updateAttackProtection(deps, actor, "suspicious-ip-throttling", ap.suspiciousIpThrottling);
      report.updated.push("attackProtection.suspiciousIpThrottling");
    }
    if (ap?.breachedPasswordDetection) {
      await updateAttackProtection(deps, actor, "breached-password-detection", ap.breachedPasswordDetection);
      report.updated.push("attackProtection.breachedPasswordDetection");
    }
    await applyRules(deps, actor, rulesPlan, report, note);
    if (plan.mfa) {
      await updateTenant(deps.db, plan.mfa);
      report.updated.push("guardian");
    }
  } finally {
    // This process must see the new configuration at once, even after a partial failure.
    deps.config.clear();
    deps.rules.clear();
    // One record of the import as a whole, even a partial one: who imported, what was created and updated.
    // Rules, rule settings and attack-protection policies also have their own records with before/after.
    if (report.created.length > 0 || report.updated.length > 0) {
      await deps.db.transaction((tx) =>
        recordAdminChange(tx, deps.clock.now(), actor, {
          action: "import tenant",
          target: "tenant",
          after: { created: report.created, updated: report.updated },
        }),
      );
    }
  }
  return report;
}

// ─── Rules and rule settings ────────────────────────────────────────────────────────────────────────────────

type TRulesPlan = {
  rules: { name: string; script: string; enabled?: boolean; order?: number }[];
  configs: { key: string; value?: string }[];
};

/** A `script` that is a single line ending in .js names a file beside the YAML (deploy-CLI layout). */
function isScriptPath(script: string): boolean {
  return !script.includes("\n") && /\.js$/i.test(script.trim());
}

/** Read script files and compile every rule (in the sandbox) before anything is written. */
async function planRules(deps: TDeps, file: TTenantFile, baseDir: string | undefined): Promise<TRulesPlan> {
  const { readFile } = await import("node:fs/promises");
  const { resolve } = await import("node:path");
  const problems: TProblem[] = [];
  const rules = file.rules ?? [];
  for (const [name, i] of findDuplicates(rules.map((r) => r.name))) {
    problems.push({ path: `rules[${i}].name`, message: `"${name}" appears more than once` });
  }
  const planned: TRulesPlan["rules"] = [];
  for (const [i, r] of rules.entries()) {
    let script = r.script;
    if (isScriptPath(script)) {
      if (!baseDir) {
        problems.push({
          path: `rules[${i}].script`,
          message: "a script file needs the tenant file's directory",
        });
        continue;
      }
      try {
        script = await readFile(resolve(baseDir, script.trim()), "utf8");
      } catch {
        problems.push({ path: `rules[${i}].script`, message: `cannot read ${script.trim()}` });
        continue;
      }
    }
    if (!ZRuleScript.safeParse(script).success) {
      problems.push({ path: `rules[${i}].script`, message: "is empty or longer than 100 KB" });
      continue;
    }
    const compiled = await deps.rules.runner.check(script);
    if (!compiled.ok) {
      problems.push({ path: `rules[${i}].script`, message: `does not compile: ${compiled.message}` });
      continue;
    }
    planned.push({ name: r.name, script, enabled: r.enabled, order: r.order });
  }
  const configs = file.rulesConfigs ?? [];
  for (const [key, i] of findDuplicates(configs.map((c) => c.key))) {
    problems.push({ path: `rulesConfigs[${i}].key`, message: `"${key}" appears more than once` });
  }
  if (problems.length > 0) throw invalidFile(problems);
  return { rules: planned, configs };
}

/**
 * Write the planned rules and settings through the same use cases as the admin API, so each change is versioned
 * and audited (`sapi`, before/after, setting values redacted) with the importing actor.
 */
async function applyRules(
  deps: TDeps,
  actor: TActor,
  plan: TRulesPlan,
  report: TTenantImportReport,
  note: (isNew: boolean, label: string) => void,
): Promise<void> {
  for (const r of plan.rules) {
    const current = await findRuleByName(deps.db, r.name);
    if (current) {
      await updateRule(deps, actor, current.id, { script: r.script, enabled: r.enabled, order: r.order });
      note(false, `rule "${r.name}"`);
    } else {
      await createRule(deps, actor, { name: r.name, script: r.script, order: r.order, enabled: r.enabled });
      note(true, `rule "${r.name}"`);
    }
  }
  const existingKeys = new Set((await listRuleSettingKeys(deps.db)).map((s) => s.key));
  for (const [i, c] of plan.configs.entries()) {
    if (c.value === undefined) {
      // Exports carry keys only; an existing setting keeps its value, a new one needs a value.
      if (!existingKeys.has(c.key))
        report.unsupported.push(`rulesConfigs[${i}].value (missing: set "${c.key}" through the admin API)`);
      continue;
    }
    await setRuleSetting(deps, actor, c.key, { value: c.value });
    note(!existingKeys.has(c.key), `rulesConfig "${c.key}"`);
  }
}
