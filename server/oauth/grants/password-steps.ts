import {
  AccessDenied,
  InvalidGrant,
  InvalidRequest,
  PasswordLeaked,
  ServerError,
  TemporarilyUnavailable,
  TooManyAttempts,
  Unauthorized,
  BRUTE_FORCE_BLOCKED,
  LOGIN_UNAVAILABLE,
  NO_DEFAULT_CONNECTION,
  SUSPICIOUS_IP_BLOCKED,
  WRONG_CREDENTIALS,
} from "../core/errors.ts";
import { admitLogin, type TAdmittedLogin, type TLogBase } from "../../protection/login-guard.ts";
import { checkBreachedPassword, type TBreachedOutcome } from "../../protection/check-breached-password.ts";
import {
  applyMetadataPatch,
  findUserByIdentifier,
  recordLogin,
  type TUserRecord,
} from "../../store/users.ts";
import type { TConnectionRecord } from "../../store/connections.ts";
import type { TResourceServerRecord } from "../../store/resource-servers.ts";
import { insertLog } from "../../store/logs.ts";
import { loginSuccessEvent } from "../core/login-record.ts";
import type { TLoginRulesResult } from "../../rules/run-login-rules.ts";
import { runLoginFlow } from "../../actions/run-login-flow.ts";
import { resolveScopes } from "../../auth/scopes.ts";
import { issueTokens, type TIssued } from "../core/issue-tokens.ts";
import { enforceMfa } from "../../mfa/require-mfa.ts";
import type { TGrantContext, TTokenResponse } from "../core/grant-context.ts";
import { errorMessage } from "../../platform/logger.ts";
import type { TSqlWriter } from "../../store/raw-sql.ts";
import { PASSWORD, PASSWORD_REALM, REFRESH_TOKEN } from "../grant-types.ts";

// The steps of the password grant (password.ts chains them), in the order they run. Each either returns what the
// next needs or throws the OAuth error that ends the login.

/** A parameter that must be present and non-empty. */
export function required(params: Record<string, string>, name: string): string {
  const v = params[name];
  if (v === undefined || v === "") throw new InvalidRequest(`Missing required parameter: ${name}`);
  return v;
}

/** Pick the user directory: `realm` when given (honoured on plain `password` too), else the default directory. */
export async function resolveConnection(ctx: TGrantContext): Promise<TConnectionRecord> {
  const { params, deps, client } = ctx;
  if (ctx.grantType === PASSWORD_REALM) required(params, "realm");
  const name = params.realm || (await deps.config.tenant()).defaultDirectory;
  if (!name) throw new ServerError(NO_DEFAULT_CONNECTION);
  ctx.audit.connection = name;
  const connection = await deps.config.connection(name);
  if (!connection) {
    if (!params.realm) throw new ServerError(NO_DEFAULT_CONNECTION);
    throw new InvalidRequest("Unknown realm.");
  }
  ctx.audit.connection_id = connection.connectionId;
  ctx.audit.strategy = connection.strategy;
  if (!client.connectionIds.includes(connection.id)) throw new InvalidRequest("the connection was disabled");
  return connection;
}

/** The API the tokens are for (`audience`, else the tenant's default) and the scopes granted on it. */
export async function resolveAudience(
  ctx: TGrantContext,
): Promise<{ api: TResourceServerRecord | null; scope: string[] }> {
  const { params, deps, client } = ctx;
  const audience = params.audience || (await deps.config.tenant()).defaultAudience || undefined;
  ctx.audit.audience = audience;
  const api = audience ? await deps.config.resourceServer(audience) : null;
  if (audience && !api) throw new AccessDenied(`Service not found: ${audience}`);
  const scope = resolveScopes({
    requested: params.scope,
    api,
    clientHasRefreshGrant: client.grantTypes.includes(REFRESH_TOKEN),
  });
  ctx.audit.scope = scope.join(" ");
  return { api, scope };
}

/** The request's audit fields, for records that attack protection writes itself. */
function logBase(ctx: TGrantContext): TLogBase {
  const { failureType: _f, isLogged: _l, type: _t, description: _d, details: _x, ...audit } = ctx.audit;
  return {
    ...audit,
    client_id: ctx.client.clientId,
    client_name: ctx.client.name,
    ip: ctx.ip,
    client_ip: ctx.clientIp,
    user_agent: ctx.userAgent,
    hostname: ctx.hostname,
  };
}

/** Ask attack protection to admit the attempt; a refusal (or a store that cannot answer) ends the login. */
export async function admitAttempt(
  ctx: TGrantContext,
  connection: TConnectionRecord,
  username: string,
): Promise<TAdmittedLogin> {
  const { deps } = ctx;
  const admission = await admitLogin(deps, {
    connectionId: connection.id,
    identifier: username,
    ip: ctx.ip ?? "unknown",
    now: ctx.now,
    logBase: () => logBase(ctx),
  });
  if (admission.kind === "unavailable") {
    deps.log.error(
      { err: errorMessage(admission.cause) },
      "attack-protection store unavailable, login refused",
    );
    throw new TemporarilyUnavailable(LOGIN_UNAVAILABLE);
  }
  if (admission.kind === "ip_throttled") {
    ctx.audit.failureType = "limit_mu";
    throw new TooManyAttempts(SUSPICIOUS_IP_BLOCKED);
  }
  if (admission.kind === "identifier_blocked") {
    ctx.audit.failureType = "limit_wc";
    throw new TooManyAttempts(BRUTE_FORCE_BLOCKED);
  }
  return admission.login;
}

/** Find the user and check the password; an unknown user and a wrong password get the same answer. */
export async function verifyCredentials(
  ctx: TGrantContext,
  guard: TAdmittedLogin,
  connection: TConnectionRecord,
  credentials: { username: string; password: string },
): Promise<{ user: TUserRecord; passwordHash: string }> {
  const { deps } = ctx;
  const { username, password } = credentials;
  const user = await findUserByIdentifier(deps.db, connection.id, username);
  if (!user || !user.passwordHash) {
    // Same answer, and no sooner than a wrong password for any kind of stored hash (the hasher's failure
    // floor): nobody learns which accounts exist.
    await deps.hasher.verifyDummy(password);
    ctx.audit.failureType = "fu";
    await guard.onFailure(null);
    throw new InvalidGrant(WRONG_CREDENTIALS);
  }
  ctx.audit.user_id = user.userId;
  const passwordHash = user.passwordHash;
  if (!(await deps.hasher.verify(passwordHash, password))) {
    ctx.audit.failureType = "fp";
    await guard.onFailure(user);
    throw new InvalidGrant(WRONG_CREDENTIALS);
  }
  return { user, passwordHash };
}

/** The password was right: a refusal from here on is not a guess, so the brute-force counters reset first. */
function resetCountersAndThrow(ctx: TGrantContext, guard: TAdmittedLogin) {
  return async (err: unknown): Promise<never> => {
    await ctx.deps.db.writeAll((w) => guard.onSuccess(w));
    throw err;
  };
}

/** Refusals that need the right password: an admin-blocked user, a password found in a breach (with `block`). */
export async function checkAfterPassword(
  ctx: TGrantContext,
  guard: TAdmittedLogin,
  user: TUserRecord,
  password: string,
): Promise<TBreachedOutcome> {
  const { deps } = ctx;
  // Checked only after the password so the blocked state is not revealed to someone guessing. The right
  // password ends the guessing, so the counters reset even when the login is refused for another reason.
  if (user.blocked) {
    await deps.db.writeAll((w) => guard.onSuccess(w));
    throw new Unauthorized("user is blocked");
  }
  const breached = await checkBreachedPassword(deps, user, password, ctx.now, () => logBase(ctx));
  if (breached.kind === "blocked") {
    ctx.audit.isLogged = true;
    await deps.db.writeAll((w) => guard.onSuccess(w));
    throw new PasswordLeaked();
  }
  return breached;
}

/**
 * Rules, then post-login actions, run after the credentials check and before signing (contract §3.1); they may
 * deny, add claims and change the access token's scopes. The refresh token keeps the granted scopes: the flow runs
 * again on refresh.
 */
export async function runRules(
  ctx: TGrantContext,
  guard: TAdmittedLogin,
  login: {
    user: TUserRecord;
    connection: TConnectionRecord;
    api: TResourceServerRecord | null;
    scope: string[];
  },
): Promise<TLoginRulesResult> {
  const { user, connection, api, scope } = login;
  return runLoginFlow({
    ctx,
    user,
    connection,
    protocol: "oauth2-password",
    scope,
    loginsCount: user.loginsCount + 1,
    authenticatedAt: ctx.now,
    audience: api?.identifier ?? null,
  }).catch(resetCountersAndThrow(ctx, guard));
}

/**
 * MFA (issue 6): by tenant policy or because a rule set context.multifactor; throws mfa_required with an mfa_token
 * (or a clear error when the client lacks the MFA grants).
 */
export async function requireMfa(
  ctx: TGrantContext,
  guard: TAdmittedLogin,
  login: {
    user: TUserRecord;
    connection: TConnectionRecord;
    api: TResourceServerRecord | null;
    scope: string[];
  },
  ruled: TLoginRulesResult,
): Promise<void> {
  const { user, connection, api, scope } = login;
  await enforceMfa(
    ctx,
    user,
    { audience: api?.identifier ?? null, scope, connection: connection.name },
    {
      multifactor: ruled.multifactor,
    },
  ).catch(resetCountersAndThrow(ctx, guard));
}

export type TCompletedLogin = {
  user: TUserRecord;
  password: string;
  passwordHash: string;
  api: TResourceServerRecord | null;
  /** The granted scopes (the refresh token's); `ruled.scope` is the access token's. */
  scope: string[];
  breached: TBreachedOutcome;
  ruled: TLoginRulesResult;
};

/** Sign the tokens, then write the login (counters, last login, refresh token, audit) all or none. */
export async function issueAndRecord(
  ctx: TGrantContext,
  guard: TAdmittedLogin,
  login: TCompletedLogin,
): Promise<TTokenResponse> {
  const { deps, client, now } = ctx;
  const { user, password, passwordHash, api, scope, ruled } = login;
  const issued = await issueTokens({
    deps,
    client,
    user,
    api,
    scope: ruled.scope,
    gty: PASSWORD,
    now,
    refresh: { scope },
    claims: { idToken: ruled.idTokenClaims, accessToken: ruled.accessTokenClaims },
  });
  // Re-hashed only now, once tokens are issued: an earlier refusal (rules, mfa_required) must not take a hash
  // longer for imported users than for others, which would tell someone holding only the password which kind
  // of account it is. (A refused login does not upgrade the hash; the next completed one does.)
  const upgraded = deps.hasher.needsRehash(passwordHash) ? await deps.hasher.hash(password) : undefined;
  // The login's writes, all or none. Without metadata patches (which read the row first) they are one batch:
  // one round trip on PostgreSQL.
  const writes = (q: TSqlWriter) => writeLogin(q, ctx, guard, login, issued, upgraded);
  if (ruled.metadata.app || ruled.metadata.user) {
    await deps.db.transaction(async (q) => {
      await writes(q);
      await applyMetadataPatch(q, user.id, ruled.metadata, now);
    });
  } else {
    await deps.db.writeAll(writes);
  }
  return issued.body;
}

/** The successful login's writes, in this order; issueAndRecord runs them as one batch or one transaction. */
async function writeLogin(
  q: TSqlWriter,
  ctx: TGrantContext,
  guard: TAdmittedLogin,
  login: TCompletedLogin,
  issued: TIssued,
  upgraded: string | undefined,
): Promise<void> {
  const { now } = ctx;
  const { user, breached } = login;
  await guard.onSuccess(q);
  await recordLogin(q, user.id, now, ctx.ip, upgraded);
  if (breached.kind === "flagged" && breached.isNewlyFlagged) {
    await insertLog(
      q,
      {
        ...logBase(ctx),
        type: "pwd_leak",
        description: "The password appears in a breached-password list (login allowed: no block shield)",
        user_id: user.userId,
        details: { blocked: false },
      },
      now,
    );
  }
  await issued.persist(q);
  await insertLog(q, loginSuccessEvent(ctx, "sepft", upgraded ? { password_rehashed: true } : {}), now);
}
