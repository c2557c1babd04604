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
} from "../errors.ts";
import { admitLogin, checkBreachedPassword, type TLogBase } from "../../protection/login-guard.ts";
import { applyMetadataPatch, findUserByIdentifier, recordLogin } from "../../store/users.ts";
import { insertLog } from "../../store/logs.ts";
import { runLoginRules } from "../../rules/run-login-rules.ts";
import { resolveScopes } from "../../auth/scopes.ts";
import { issueTokens } from "./issue-tokens.ts";
import { enforceMfa } from "../../mfa/require-mfa.ts";
import type { TGrant, TGrantContext } from "./types.ts";
import { errorMessage } from "../../platform/logger.ts";
import type { TSqlWriter } from "../../store/raw-sql.ts";

export const PASSWORD = "password";
export const PASSWORD_REALM = "http://auth0.com/oauth/grant-type/password-realm";

function required(params: Record<string, string>, name: string): string {
  const v = params[name];
  if (v === undefined || v === "") throw new InvalidRequest(`Missing required parameter: ${name}`);
  return v;
}

/** Pick the user directory: `realm` when given (honoured on plain `password` too), else the default directory. */
async function resolveConnection(ctx: TGrantContext) {
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

/** The `password` and `password-realm` grants (contract §1). */
export const passwordGrant: TGrant = {
  grantTypes: [PASSWORD, PASSWORD_REALM],
  params: ["username", "password", "realm", "audience", "scope"],
  secretParams: ["password"],
  failureLogType: "fepft",
  isFirstPartyOnly: true,
  async handle(ctx) {
    const { params, deps, client, now } = ctx;
    const username = required(params, "username");
    const password = required(params, "password");
    ctx.audit.user_name = username;
    const connection = await resolveConnection(ctx);

    const audience = params.audience || (await deps.config.tenant()).defaultAudience || undefined;
    ctx.audit.audience = audience;
    const api = audience ? await deps.config.resourceServer(audience) : null;
    if (audience && !api) throw new AccessDenied(`Service not found: ${audience}`);
    const scope = resolveScopes({
      requested: params.scope,
      api,
      clientHasRefreshGrant: client.grantTypes.includes("refresh_token"),
    });
    ctx.audit.scope = scope.join(" ");

    // Attack protection first: a refused attempt costs no user lookup and no password hash.
    const admission = await admitLogin(deps, {
      connectionId: connection.id,
      identifier: username,
      ip: ctx.ip ?? "unknown",
      now,
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
    const guard = admission.login;

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
    // Checked only after the password so the blocked state is not revealed to someone guessing. The right
    // password ends the guessing, so the counters reset even when the login is refused for another reason.
    if (user.blocked) {
      await deps.db.writeAll((w) => guard.onSuccess(w));
      throw new Unauthorized("user is blocked");
    }
    const breached = await checkBreachedPassword(deps, user, password, now, () => logBase(ctx));
    if (breached.kind === "blocked") {
      ctx.audit.isLogged = true;
      await deps.db.writeAll((w) => guard.onSuccess(w));
      throw new PasswordLeaked();
    }

    // The password was right: a refusal from here on (rules, MFA) is not a guess, so the brute-force count resets.
    const resetCountersAndThrow = async (err: unknown): Promise<never> => {
      await deps.db.writeAll((w) => guard.onSuccess(w));
      throw err;
    };
    // Rules run after the credentials check and before signing (contract §3.1); they may deny, add claims and
    // replace the access token's scopes. The refresh token keeps the granted scopes: rules run again on refresh.
    const ruled = await runLoginRules({
      ctx,
      user,
      connection,
      protocol: "oauth2-password",
      scope,
      loginsCount: user.loginsCount + 1,
      authenticatedAt: now,
    }).catch(resetCountersAndThrow);
    // MFA (issue 6): by tenant policy or because a rule set context.multifactor; throws mfa_required with an
    // mfa_token (or a clear error when the client lacks the MFA grants).
    await enforceMfa(
      ctx,
      user,
      { audience: api?.identifier ?? null, scope, connection: connection.name },
      {
        multifactor: ruled.multifactor,
      },
    ).catch(resetCountersAndThrow);
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
    const writeLogin = async (q: TSqlWriter) => {
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
      await insertLog(
        q,
        {
          ...ctx.audit,
          type: "sepft",
          description: "",
          client_id: client.clientId,
          client_name: client.name,
          ip: ctx.ip,
          client_ip: ctx.clientIp,
          user_agent: ctx.userAgent,
          hostname: ctx.hostname,
          details: {
            ...ctx.audit.details,
            grant_type: ctx.grantType,
            ...(upgraded ? { password_rehashed: true } : {}),
          },
        },
        now,
      );
    };
    if (ruled.metadata.app || ruled.metadata.user) {
      await deps.db.transaction(async (q) => {
        await writeLogin(q);
        await applyMetadataPatch(q, user.id, ruled.metadata, now);
      });
    } else {
      await deps.db.writeAll(writeLogin);
    }
    return issued.body;
  },
};
