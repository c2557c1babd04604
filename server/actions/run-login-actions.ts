import { randomBytes } from "node:crypto";
import type { TActionCommands, TJson, TRuleFailure } from "../../rules-runtime/index.ts";
import { hasActiveAuthenticator } from "../store/mfa-authenticators.ts";
import { applyMetadataPatch } from "../store/users.ts";
import { MAX_CUSTOM_CLAIMS_BYTES, readCustomClaims, type TClaims } from "../rules/claims.ts";
import {
  redactSettings,
  type TLoginRulesInput,
  type TLoginRulesResult,
  type TMetadataPatches,
} from "../rules/run-login-rules.ts";
import type { TActionCache, TBoundAction } from "./actions-service.ts";
import { actionFailureError, type TActionsFailureKind } from "./outcomes.ts";
import { buildPostLoginEvent } from "./post-login-event.ts";

const round = (ms: number) => Math.round(ms * 100) / 100;
/** api.cache limits the host enforces again (the sandbox's word is not trusted). */
const MAX_CACHE_KEY = 256;
const MAX_CACHE_VALUE = 4096;
const MAX_CACHE_TTL_MS = 24 * 3600 * 1000;

/** A metadata patch applied to a stored object (null deletes a key). */
function patched(
  base: Record<string, unknown>,
  patch: Record<string, unknown> | null,
): Record<string, unknown> {
  if (!patch) return base;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** The rules' metadata patch, then the actions' on top (later writes win per key). */
function mergePatches(a: TMetadataPatches, b: TMetadataPatches): TMetadataPatches {
  const merge = (x: Record<string, unknown> | null, y: Record<string, unknown> | null) =>
    x || y ? { ...(x ?? {}), ...(y ?? {}) } : null;
  return { app: merge(a.app, b.app), user: merge(a.user, b.user) };
}

/** Claims set with setCustomClaim, in call order (a later call for a name wins). */
function claimsOf(calls: TActionCommands["idTokenClaims"]): Record<string, TJson> {
  const out: Record<string, TJson> = {};
  for (const c of calls)
    Object.defineProperty(out, c.name, {
      value: c.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}

/** Apply the actions' api.cache writes, each checked again here; entries of actions not in the run are ignored. */
function applyCacheCommands(
  cache: TActionCache,
  actions: readonly TBoundAction[],
  commands: TActionCommands["cache"],
  nowMs: number,
): void {
  const idOf = new Map(actions.map((a) => [a.name, a.id]));
  for (const c of commands) {
    const id = idOf.get(c.action);
    if (!id || typeof c.key !== "string" || c.key.length === 0 || c.key.length > MAX_CACHE_KEY) continue;
    if (c.op === "delete") cache.delete(id, c.key);
    else if (typeof c.value === "string" && c.value.length <= MAX_CACHE_VALUE) {
      const expires = Math.min(Number(c.expires_at) || 0, nowMs + MAX_CACHE_TTL_MS);
      if (expires > nowMs) cache.set(id, c.key, { value: c.value, expires_at: expires });
    }
  }
}

/**
 * Run the bound post-login actions after the rules (contract §3.1: rules first), on the same sandbox and limits.
 * Their commands apply on top of the rules' outcome: claims (reserved ones dropped, as for rules), scopes added or
 * removed, MFA, metadata (persisted once, in the login's transaction). A deny, a redirect, MFA on a refresh, or an
 * action that fails ends the login with the outcome table's error, after recording which action and why.
 */
export async function runLoginActions(
  input: TLoginRulesInput,
  ruled: TLoginRulesResult,
): Promise<TLoginRulesResult> {
  const { ctx, user } = input;
  const { deps } = ctx;
  const snapshot = await deps.actions.snapshot();
  const actions = snapshot.postLogin;
  if (actions.length === 0) return ruled;

  const [tenant, hasMfa, rules] = await Promise.all([
    deps.config.tenant(),
    hasActiveAuthenticator(deps.db, user.id),
    deps.rules.snapshot(),
  ]);
  const now = deps.clock.now();
  const nowMs = now.getTime();
  const event = buildPostLoginEvent({
    tenant: tenant.friendlyName,
    // The rules' metadata changes are visible to the actions, as they will be stored.
    user: {
      ...user,
      appMetadata: patched(user.appMetadata, ruled.metadata.app),
      userMetadata: patched(user.userMetadata, ruled.metadata.user),
    },
    hasMfa,
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
    requestedScopes: ctx.params.scope ? ctx.params.scope.split(" ").filter(Boolean) : input.scope,
    audience: input.audience ?? null,
    loginsCount: input.loginsCount,
    authenticatedAt: input.authenticatedAt,
    mfaAt: input.mfaAt,
    transactionId: randomBytes(16).toString("base64url"),
  });
  const result = await deps.rules.runner.runActions({
    // Not the rules' isolate: the rules' `global` cache lives there.
    isolateKey: "tenant:default:actions",
    actions: actions.map((a) => ({
      name: a.name,
      code: a.code,
      secrets: a.secrets,
      cache: deps.actions.cache.entries(a.id, nowMs),
    })),
    event,
    executedRules: ruled.executedRules,
    fetchAllowedHosts: rules.allowedHosts,
    clockOffsetMs: nowMs - Date.now(),
  });
  const commands = result.commands;
  const outcome = !result.ok ? result.failure.kind : commands.denied ? "denied" : "ok";
  deps.metrics.actionsPipeline(result.durationMs / 1000, outcome);
  if (result.context) deps.metrics.actionsContext(result.context);
  applyCacheCommands(deps.actions.cache, actions, commands.cache, nowMs);

  // Secrets are secrets: an action that writes one into an error or a deny reason must not get it into the log
  // (the client's error_description is logged too), so every action secret and rule setting is redacted.
  const secrets: Record<string, string> = { ...rules.configuration };
  for (const a of actions) for (const [k, v] of Object.entries(a.secrets)) secrets[`${a.name}:${k}`] = v;
  const redact = (text: string) => redactSettings(text, secrets);
  const audit: Record<string, unknown> = {
    ran: result.trace.map((t) => ({ name: t.name, outcome: t.outcome, duration_ms: round(t.durationMs) })),
    duration_ms: round(result.durationMs),
    ...(result.warnings.length > 0 ? { warnings: result.warnings.map(redact) } : {}),
  };
  ctx.audit.details = { ...ctx.audit.details, actions: audit };
  const metadata = mergePatches(ruled.metadata, commands.metadata);

  const fail = async (
    kind: TActionsFailureKind,
    failure: TRuleFailure,
    isPersisting: boolean,
  ): Promise<never> => {
    const message = redact(failure.message);
    audit.error = { action: failure.rule, kind, reason: message };
    // Metadata set before the login was refused stays set, as Auth0 says of api.access.deny.
    if (isPersisting && (metadata.app || metadata.user)) {
      await deps.db.transaction((q) => applyMetadataPatch(q, user.id, metadata, deps.clock.now()));
    }
    throw actionFailureError(kind, { ...failure, message });
  };

  // A redirect attempt decides first: whatever else happened, the password exchange cannot redirect.
  if (commands.redirect) {
    const action = commands.redirect.action;
    return fail(
      "redirect",
      {
        kind: "denied",
        rule: action,
        message: `action "${action}" called api.redirect during ${input.protocol}`,
      },
      true,
    );
  }
  if (!result.ok) {
    const f = result.failure;
    return fail(f.kind, f, f.kind === "denied" || f.kind === "unauthorized");
  }
  if (commands.denied) {
    return fail(
      "denied",
      { kind: "denied", rule: commands.denied.action, message: commands.denied.reason },
      true,
    );
  }

  let multifactor = ruled.multifactor;
  const asked = commands.multifactor;
  if (asked && asked.provider !== "none" && input.protocol === "oauth2-refresh-token") {
    return fail(
      "multifactor",
      {
        kind: "denied",
        rule: asked.action,
        message: `action "${asked.action}" called api.multifactor.enable on a refresh-token exchange`,
      },
      true,
    );
  }
  // After the second factor the requirement is met; "none" lifts the tenant's policy for this login only when no
  // rule asked for MFA.
  if (asked && !input.mfaAt && !multifactor) {
    multifactor = { provider: asked.provider };
    audit.multifactor = { action: asked.action, provider: asked.provider };
  }

  const id = readCustomClaims(claimsOf(commands.idTokenClaims), "id_token");
  const access = readCustomClaims(claimsOf(commands.accessTokenClaims), "access_token");
  const dropped = [...id.dropped, ...access.dropped];
  if (dropped.length > 0) audit.dropped_claims = dropped;
  const idTokenClaims: TClaims = { ...ruled.idTokenClaims, ...id.claims };
  const accessTokenClaims: TClaims = { ...ruled.accessTokenClaims, ...access.claims };
  for (const [token, claims] of [
    ["id_token", idTokenClaims],
    ["access_token", accessTokenClaims],
  ] as const) {
    const size = JSON.stringify(claims).length;
    if (size > MAX_CUSTOM_CLAIMS_BYTES)
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

  let scope = ruled.scope;
  for (const op of commands.scopes) {
    const s = op.scope.trim();
    if (!s || /\s/.test(s)) continue;
    if (op.op === "add" && !scope.includes(s)) scope = [...scope, s];
    if (op.op === "remove") scope = scope.filter((x) => x !== s);
  }
  if (commands.scopes.length > 0) ctx.audit.scope = scope.join(" ");
  return { ...ruled, scope, idTokenClaims, accessTokenClaims, metadata, multifactor };
}
