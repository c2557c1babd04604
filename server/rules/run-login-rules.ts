import { randomBytes } from "node:crypto";
import type { TJson, TJsonObject, TRuleFailure, TRunResult } from "../../rules-runtime/index.ts";
import type { TGrantContext } from "../oauth/core/grant-context.ts";
import type { TUserRecord } from "../store/users.ts";
import { applyMetadataPatch } from "../store/users.ts";
import { buildRuleContext, buildRuleUser } from "./rule-input.ts";
import { MAX_CUSTOM_CLAIMS_BYTES, readCustomClaims, readScopeOverride, type TClaims } from "./claims.ts";
import { ruleFailureError, type TRulesFailureKind } from "./outcomes.ts";

export type TMetadataPatches = { app: Record<string, unknown> | null; user: Record<string, unknown> | null };

export type TLoginRulesResult = {
  /** The scopes to issue: the granted ones, or what a rule put in `context.accessToken.scope`. */
  scope: string[];
  idTokenClaims: TClaims;
  accessTokenClaims: TClaims;
  /** Apply inside the login's transaction (applyMetadataPatch). */
  metadata: TMetadataPatches;
  /** `context.multifactor` a rule set on a password login that has not passed MFA yet (enforceMfa decides). */
  multifactor: { provider?: string } | null;
  /** Ids of the rules that ran (all enabled rules: a failing rule throws), for actions' api.rules.wasExecuted. */
  executedRules: string[];
};

export type TLoginRulesInput = {
  ctx: TGrantContext;
  user: TUserRecord;
  connection: { connectionId: string; name: string; strategy: string };
  protocol: "oauth2-password" | "oauth2-refresh-token";
  scope: string[];
  /** `context.stats.loginsCount`: logins including this one. */
  loginsCount: number;
  authenticatedAt: Date;
  /** Set when rules run again after the second factor: `context.authentication.methods` then includes mfa. */
  mfaAt?: Date;
  /** The API the tokens are for (actions' `event.resource_server`), null for none. */
  audience?: string | null;
};

const round = (ms: number) => Math.round(ms * 100) / 100;

/** Replace rule-setting values in text meant for logs (a rule may put a secret into an error message). */
export function redactSettings(text: string, configuration: Record<string, string>): string {
  let out = text;
  for (const v of Object.values(configuration)) if (v.length >= 4) out = out.split(v).join("[redacted]");
  return out;
}

/** The audit summary of a run: each rule with outcome and duration, plus anything worth a look. */
function auditOf(result: TRunResult, configuration: Record<string, string>): Record<string, unknown> {
  return {
    ran: result.trace.map((t) => ({ name: t.name, outcome: t.outcome, duration_ms: round(t.durationMs) })),
    duration_ms: round(result.durationMs),
    ...(result.warnings.length > 0
      ? { warnings: result.warnings.map((w) => redactSettings(w, configuration)) }
      : {}),
  };
}

/**
 * Run the enabled rules for a password, realm or refresh-token grant, after the credentials were checked and before
 * tokens are signed (contract §3). Returns the scopes and claims to issue, or throws the OAuth error of the outcome
 * table after recording in the audit details which rule failed and why.
 */
export async function runLoginRules(input: TLoginRulesInput): Promise<TLoginRulesResult> {
  const { ctx, user } = input;
  const { deps } = ctx;
  const snapshot = await deps.rules.snapshot();
  const none: TLoginRulesResult = {
    scope: input.scope,
    idTokenClaims: {},
    accessTokenClaims: {},
    metadata: { app: null, user: null },
    multifactor: null,
    executedRules: [],
  };
  if (snapshot.rules.length === 0) return none;

  const tenant = await deps.config.tenant();
  const result = await deps.rules.runner.run({
    isolateKey: "tenant:default",
    rules: snapshot.rules,
    user: buildRuleUser(user, input.connection),
    context: buildRuleContext({
      tenant: tenant.friendlyName,
      client: ctx.client,
      connection: input.connection,
      protocol: input.protocol,
      grantType: ctx.grantType,
      params: ctx.params,
      secretParams: ctx.secretParams,
      ip: ctx.ip,
      userAgent: ctx.userAgent,
      hostname: ctx.hostname,
      query: ctx.query,
      loginsCount: input.loginsCount,
      sessionID: randomBytes(16).toString("base64url"),
      authenticatedAt: input.authenticatedAt,
      mfaAt: input.mfaAt,
    }),
    configuration: snapshot.configuration,
    auth0Domain: new URL(deps.env.issuer).host,
    fetchAllowedHosts: snapshot.allowedHosts,
    clockOffsetMs: deps.clock.now().getTime() - Date.now(),
  });
  deps.metrics.rulesPipeline(result.durationMs / 1000, result.ok ? "ok" : result.failure.kind);
  const audit = auditOf(result, snapshot.configuration);
  ctx.audit.details = { ...ctx.audit.details, rules: audit };
  const metadata: TMetadataPatches = { app: result.metadata.app, user: result.metadata.user };

  const fail = async (
    kind: TRulesFailureKind,
    failure: TRuleFailure,
    isPersisting: boolean,
  ): Promise<never> => {
    // Settings are secrets: a rule that puts one in its error message must not get it into the audit log (the
    // client's error_description is logged too), so it is redacted everywhere.
    const message = redactSettings(failure.message, snapshot.configuration);
    audit.error = { rule: failure.rule, kind, reason: message };
    // Metadata a rule saved before the login was refused stays saved, as with Auth0's management API calls.
    if (isPersisting && (metadata.app || metadata.user)) {
      await deps.db.transaction((q) => applyMetadataPatch(q, user.id, metadata, deps.clock.now()));
    }
    throw ruleFailureError(kind, { ...failure, message });
  };

  if (!result.ok) {
    const f = result.failure;
    return fail(f.kind, f, f.kind === "unauthorized" || f.kind === "denied");
  }
  const context = result.context;
  if (context.redirect) {
    const rule = result.setBy.redirect ?? null;
    return fail(
      "redirect",
      { kind: "denied", rule, message: `rule "${rule}" set context.redirect during ${input.protocol}` },
      true,
    );
  }
  // A password login returns the request to MFA (enforceMfa); after MFA it is already satisfied. A refresh-token
  // exchange cannot ask the user for a second factor, so it fails closed.
  let multifactor: TLoginRulesResult["multifactor"] = null;
  if (context.multifactor && input.protocol === "oauth2-refresh-token") {
    const rule = result.setBy.multifactor ?? null;
    return fail(
      "multifactor",
      { kind: "denied", rule, message: `rule "${rule}" set context.multifactor on a refresh-token exchange` },
      true,
    );
  }
  if (context.multifactor && !input.mfaAt) {
    multifactor =
      typeof context.multifactor === "object" ? (context.multifactor as { provider?: string }) : {};
    audit.multifactor = { rule: result.setBy.multifactor ?? null };
  }

  const id = readCustomClaims(context.idToken as TJson | undefined, "id_token");
  const access = readCustomClaims(context.accessToken as TJson | undefined, "access_token");
  const dropped = [...id.dropped, ...access.dropped];
  if (dropped.length > 0) audit.dropped_claims = dropped;
  for (const [token, claims] of [
    ["id_token", id.claims],
    ["access_token", access.claims],
  ] as const) {
    const size = JSON.stringify(claims).length;
    if (size > MAX_CUSTOM_CLAIMS_BYTES) {
      return fail(
        "invalid_claims",
        {
          kind: "invalid_output",
          rule: null,
          message: `custom ${token} claims are ${size} bytes (limit ${MAX_CUSTOM_CLAIMS_BYTES})`,
        },
        true,
      );
    }
  }
  const override = readScopeOverride(context.accessToken as TJsonObject[string] | undefined);
  if (override === "invalid")
    audit.scope_ignored = "context.accessToken.scope is not a string or string array";
  const scope = Array.isArray(override) ? override : input.scope;
  if (Array.isArray(override)) ctx.audit.scope = scope.join(" ");
  return {
    scope,
    idTokenClaims: id.claims,
    accessTokenClaims: access.claims,
    metadata,
    multifactor,
    executedRules: snapshot.ruleIds,
  };
}
