import type { TGrantContext, TTokenResponse } from "../oauth/core/grant-context.ts";
import type { TLogEvent, TLogType } from "../audit/events.ts";
import type { TUserRecord } from "../store/users.ts";
import type { TSqlRunner } from "../store/raw-sql.ts";
import type { TResourceServerRecord } from "../store/resource-servers.ts";
import { AccessDenied, InvalidGrant, InvalidRequest, TooManyAttempts } from "../oauth/core/errors.ts";
import { applyMetadataPatch, findUserById, recordLogin } from "../store/users.ts";
import { insertLog } from "../store/logs.ts";
import { runLoginFlow } from "../actions/run-login-flow.ts";
import { returnMfaAttempt, takeMfaAttempt } from "../store/mfa-throttles.ts";
import { issueTokens } from "../oauth/core/issue-tokens.ts";
import { loginSuccessEvent } from "../oauth/core/login-record.ts";
import { readMfaToken, type TMfaTokenClaims } from "./mfa-token.ts";

/** Wrong-code bucket: 10 attempts, refilled one every 6 minutes (contract §4.4). */
export const MFA_BUCKET_CAPACITY = 10;
export const MFA_BUCKET_REFILL_MS = 6 * 60 * 1000;
export const TOO_MANY_ATTEMPTS = "Too many failed attempts. Please try again later.";

/** Read a required grant parameter. */
export function requiredParam(params: Record<string, string>, name: string): string {
  const v = params[name];
  if (v === undefined || v === "") throw new InvalidRequest(`Missing required parameter: ${name}`);
  return v;
}

export type TMfaLogin = { claims: TMfaTokenClaims; user: TUserRecord; api: TResourceServerRecord | null };

/**
 * Open the grant's `mfa_token` (bound to this client) and load its user and API, all before any code is checked,
 * so a request that cannot end in tokens never spends a one-time code.
 */
export async function openMfaLogin(ctx: TGrantContext): Promise<TMfaLogin> {
  const claims = readMfaToken(ctx.deps, requiredParam(ctx.params, "mfa_token"), ctx.client.clientId, ctx.now);
  ctx.audit.connection = claims.connection;
  ctx.audit.audience = claims.audience ?? undefined;
  ctx.audit.scope = claims.scope.join(" ");
  const user = await findUserById(ctx.deps.db, claims.userId);
  if (!user) throw new InvalidGrant("Malformed mfa_token");
  ctx.audit.user_id = user.userId;
  ctx.audit.user_name = user.email ?? user.username ?? undefined;
  if (user.blocked) throw new InvalidGrant("user is blocked");
  const api = claims.audience ? await ctx.deps.config.resourceServer(claims.audience) : null;
  if (claims.audience && !api) throw new AccessDenied(`Service not found: ${claims.audience}`);
  return { claims, user, api };
}

/** Write one MFA audit record (gd_*) outside the grant's final transaction. */
export async function logMfaEvent(
  ctx: TGrantContext,
  type: TLogType,
  description: string,
  q: TSqlRunner | null = null,
  details: Record<string, unknown> = {},
): Promise<void> {
  const event: TLogEvent = {
    type,
    description,
    client_id: ctx.client.clientId,
    client_name: ctx.client.name,
    connection: ctx.audit.connection,
    user_id: ctx.audit.user_id,
    user_name: ctx.audit.user_name,
    ip: ctx.ip,
    client_ip: ctx.clientIp,
    user_agent: ctx.userAgent,
    hostname: ctx.hostname,
    details,
  };
  if (q) await insertLog(q, event, ctx.now);
  else await ctx.deps.db.transaction((t) => insertLog(t, event, ctx.now));
}

/**
 * Check a second-factor code under the user's wrong-code bucket. A slot is taken atomically before checking and
 * given back when the code is right, so only wrong codes drain it, exactly, even under concurrent requests.
 */
export async function checkCodeWithBucket(
  ctx: TGrantContext,
  user: TUserRecord,
  limitLogType: TLogType,
  check: () => Promise<boolean>,
): Promise<boolean> {
  const { db: sql } = ctx.deps;
  // Single statements still go through transaction(): on SQLite it retries a busy database instead of failing.
  const hasSlot = await sql.transaction((q) =>
    takeMfaAttempt(q, user.id, ctx.now.getTime(), MFA_BUCKET_REFILL_MS, MFA_BUCKET_CAPACITY),
  );
  if (!hasSlot) {
    await logMfaEvent(ctx, limitLogType, TOO_MANY_ATTEMPTS);
    throw new TooManyAttempts(TOO_MANY_ATTEMPTS);
  }
  const isValid = await check();
  if (isValid) await sql.transaction((q) => returnMfaAttempt(q, user.id, MFA_BUCKET_REFILL_MS));
  return isValid;
}

/**
 * Issue the tokens of a login that passed its second factor: the audience and scope of the original password
 * request, a refresh token when that request allowed one, the login counted, and the success log.
 *
 * Rules run again here, with `context.authentication.methods` holding both `pwd` and `mfa`, so "require MFA
 * once" rules see the second factor done and do not loop; their claims and scope go into the tokens.
 */
export async function completeMfaLogin(
  ctx: TGrantContext,
  login: TMfaLogin,
  successType: TLogType,
  gty: string,
  inTransaction: (q: TSqlRunner) => Promise<void>,
): Promise<TTokenResponse> {
  const { deps, client, now } = ctx;
  const { claims, user, api } = login;
  const connection = await deps.config.connection(claims.connection);
  if (!connection) throw new InvalidGrant("Malformed mfa_token");
  const ruled = await runLoginFlow({
    ctx,
    user,
    connection,
    protocol: "oauth2-password",
    scope: claims.scope,
    loginsCount: user.loginsCount + 1,
    authenticatedAt: now,
    mfaAt: now,
    audience: api?.identifier ?? null,
  });
  const issued = await issueTokens({
    deps,
    client,
    user,
    api,
    scope: ruled.scope,
    gty,
    now,
    refresh: { scope: claims.scope },
    claims: { idToken: ruled.idTokenClaims, accessToken: ruled.accessTokenClaims },
  });
  await deps.db.transaction(async (q) => {
    await inTransaction(q);
    await recordLogin(q, user.id, now, ctx.ip);
    await applyMetadataPatch(q, user.id, ruled.metadata, now);
    await issued.persist(q);
    await insertLog(q, loginSuccessEvent(ctx, successType), now);
  });
  return issued.body;
}
