import { z } from "zod";
import type { TJson, TJsonObject, TRuleSource } from "../../../rules-runtime/index.ts";
import type { TDeps } from "../../config/deps.ts";
import { serializeOAuthError } from "../../oauth/core/errors.ts";
import { findRule, listEnabledRules } from "../../store/rules.ts";
import { getRulesAllowedHosts } from "../../store/tenant.ts";
import { readCustomClaims, readScopeOverride } from "../../rules/claims.ts";
import { ruleFailureError, type TRulesFailureKind } from "../../rules/outcomes.ts";
import { redactSettings } from "../../rules/run-login-rules.ts";
import { AdminError } from "../admin-error.ts";
import { canPerform } from "../roles.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import type { TRulesActor } from "./rule-json.ts";
import { parseRulesInput } from "./parse-rules-input.ts";
import { ZRuleScript } from "./check-rule.ts";

const ZJsonObject = z.record(z.string(), z.unknown());

export const ZTryRules = z.object({
  /** Run an unsaved script… */
  script: ZRuleScript.optional(),
  name: z.string().min(1).max(255).optional(),
  /** …or a saved rule (enabled or not); with neither, the whole enabled pipeline runs. */
  rule_id: z.string().min(1).optional(),
  /** Merged over a sample user / context (top-level keys replace the sample's). */
  user: ZJsonObject.optional(),
  context: ZJsonObject.optional(),
});

/** A realistic user and context for a password login, as Auth0's rule test builders make them. */
export function sampleRuleInput(deps: TDeps): { user: TJsonObject; context: TJsonObject } {
  const now = deps.clock.now();
  return {
    user: {
      user_id: "auth0|5f7c8ec7c33c6c004bbafe82",
      email: "jane.doe@example.com",
      email_verified: true,
      name: "Jane Doe",
      nickname: "jane.doe",
      given_name: "Jane",
      family_name: "Doe",
      created_at: "2024-01-15T10:00:00.000Z",
      updated_at: now.toISOString(),
      logins_count: 12,
      blocked: false,
      identities: [
        {
          connection: "Username-Password-Authentication",
          provider: "auth0",
          isSocial: false,
          user_id: "5f7c8ec7c33c6c004bbafe82",
        },
      ],
      app_metadata: {},
      user_metadata: {},
      multifactor: [],
      permissions: [],
    },
    context: {
      tenant: "Portcullis",
      clientID: "sample-client-id",
      clientName: "Sample App",
      clientMetadata: {},
      connection: "Username-Password-Authentication",
      connectionID: "con_sample",
      connectionStrategy: "auth0",
      protocol: "oauth2-password",
      request: {
        ip: "203.0.113.7",
        userAgent: "Mozilla/5.0",
        hostname: new URL(deps.env.issuer).host,
        query: {},
        body: { grant_type: "password", username: "jane.doe@example.com" },
      },
      stats: { loginsCount: 13 },
      sso: { with_auth0: false, with_dbconn: false },
      idToken: {},
      accessToken: {},
      sessionID: "sample-session",
      authentication: { methods: [{ name: "pwd", timestamp: now.getTime() }] },
      authorization: { roles: [] },
    },
  };
}

/** The rule settings a Try run sees when the admin may not read their values: each key with a placeholder. */
export function placeholderSettings(configuration: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(configuration).map((k) => [k, `[value of ${k}]`]));
}

/**
 * Run one rule (saved or not) or the whole enabled pipeline against a sample user and context without logging in:
 * nothing is persisted. Returns the resulting user and context, the token claims and scopes a login would get,
 * console output, duration, and the error a client would see if the login would fail. Rule settings are available
 * to the rules but their values are redacted from the output. Redaction cannot stop a script from encoding a value
 * before printing it, so only admins who may change configuration try rules with the real values; everyone else's
 * runs see `[value of KEY]` placeholders.
 */
export async function tryRules(deps: TDeps, admin: TRulesActor, body: unknown) {
  assertAdminAllowed(admin, "rules:write");
  const input = parseRulesInput(ZTryRules, body);
  let rules: TRuleSource[];
  if (input.script !== undefined) rules = [{ name: input.name ?? "try", script: input.script }];
  else if (input.rule_id !== undefined) {
    const rule = await findRule(deps.db, input.rule_id);
    if (!rule) throw AdminError.notFound("Rule not found");
    rules = [{ name: rule.name, script: rule.script }];
  } else rules = (await listEnabledRules(deps.db)).map((r) => ({ name: r.name, script: r.script }));

  const snapshot = await deps.rules.snapshot();
  const sample = sampleRuleInput(deps);
  const result = await deps.rules.runner.run({
    // Its own isolate: a hostile script being tried never disturbs logins.
    isolateKey: "try:default",
    rules,
    user: { ...sample.user, ...(input.user as TJsonObject | undefined) },
    context: { ...sample.context, ...(input.context as TJsonObject | undefined) },
    configuration: canPerform(admin.role, "config:write")
      ? snapshot.configuration
      : placeholderSettings(snapshot.configuration),
    auth0Domain: new URL(deps.env.issuer).host,
    fetchAllowedHosts: await getRulesAllowedHosts(deps.db),
    clockOffsetMs: deps.clock.now().getTime() - Date.now(),
  });
  const redact = (s: string) => redactSettings(s, snapshot.configuration);
  const redactJson = (v: unknown) => (v === null ? null : (JSON.parse(redact(JSON.stringify(v))) as unknown));

  let failure: { kind: TRulesFailureKind; rule: string | null; message: string } | null = null;
  if (!result.ok) failure = result.failure;
  else if (result.context.redirect)
    failure = {
      kind: "redirect",
      rule: result.setBy.redirect ?? null,
      message: "the rule set context.redirect",
    };
  else if (result.context.multifactor)
    failure = {
      kind: "multifactor",
      rule: result.setBy.multifactor ?? null,
      message: "the rule set context.multifactor",
    };
  const context = result.context;
  const id = readCustomClaims(context?.idToken as TJson | undefined, "id_token");
  const access = readCustomClaims(context?.accessToken as TJson | undefined, "access_token");
  const scope = readScopeOverride(context?.accessToken as TJson | undefined);
  const oauth = failure
    ? serializeOAuthError(ruleFailureError(failure.kind, { ...failure, kind: "denied" }))
    : null;
  return {
    ok: failure === null,
    user: redactJson(result.user),
    context: redactJson(context),
    id_token_claims: redactJson(id.claims),
    access_token_claims: redactJson(access.claims),
    dropped_claims: [...id.dropped, ...access.dropped],
    scope: Array.isArray(scope) ? scope : null,
    metadata_updates: redactJson(result.metadata),
    console: result.console.map(redact),
    console_truncated: result.consoleTruncated,
    trace: result.trace.map((t) => ({ name: t.name, outcome: t.outcome, duration_ms: t.durationMs })),
    warnings: result.warnings.map(redact),
    duration_ms: result.durationMs,
    error: failure
      ? {
          kind: failure.kind,
          rule: failure.rule,
          message: redact(failure.message),
          response: oauth ? { status: oauth.status, ...oauth.body } : null,
        }
      : null,
  };
}
