import {
  AccessDenied,
  InvalidGrant,
  InvalidRequest,
  ServerError,
  Unauthorized,
  NO_DEFAULT_CONNECTION,
  WRONG_CREDENTIALS,
} from "../errors.ts";
import { findLoginUser, insertLogRaw, recordLoginRaw } from "../../store/logins.ts";
import { resolveScopes } from "../../auth/scopes.ts";
import { issueTokens } from "./issue-tokens.ts";
import { enforceMfa } from "../../mfa/require-mfa.ts";
import type { TGrant, TGrantContext } from "./types.ts";

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

/** The `password` and `password-realm` grants (contract §1). */
export const passwordGrant: TGrant = {
  grantTypes: [PASSWORD, PASSWORD_REALM],
  params: ["username", "password", "realm", "audience", "scope"],
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

    const user = await findLoginUser(deps.sql, connection.id, username);
    if (!user || !user.passwordHash) {
      // Same work and same answer as a wrong password: nobody learns which accounts exist.
      await deps.hasher.verifyDummy(password);
      ctx.audit.failureType = "fu";
      throw new InvalidGrant(WRONG_CREDENTIALS);
    }
    ctx.audit.user_id = user.userId;
    if (!(await deps.hasher.verify(user.passwordHash, password))) {
      ctx.audit.failureType = "fp";
      throw new InvalidGrant(WRONG_CREDENTIALS);
    }
    // Checked only after the password so the blocked state is not revealed to someone guessing.
    if (user.blocked) throw new Unauthorized("user is blocked");
    // MFA (issue 6): throws mfa_required (or a missing-grant error) when a second factor is needed.
    await enforceMfa(ctx, user, { audience: api?.identifier ?? null, scope, connection: connection.name });

    const upgraded = deps.hasher.needsRehash(user.passwordHash)
      ? await deps.hasher.hash(password)
      : undefined;
    const issued = await issueTokens({ deps, client, user, api, scope, gty: PASSWORD, now, refresh: {} });
    await deps.sql.transaction(async (q) => {
      await recordLoginRaw(q, user.id, now, ctx.ip, upgraded);
      await issued.persist(q);
      await insertLogRaw(
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
          details: { grant_type: ctx.grantType, ...(upgraded ? { password_rehashed: true } : {}) },
        },
        now,
      );
    });
    return issued.body;
  },
};
