import type { TGrant, TGrantContext } from "../core/grant-context.ts";
import { AccessDenied, TooManyRequests, UnauthorizedClient } from "../core/errors.ts";
import { issueTokens } from "../core/issue-tokens.ts";
import { CLIENT_CREDENTIALS } from "../grant-types.ts";
import { findClientGrant } from "../../store/client-grants.ts";
import { takeSend } from "../../store/send-limits.ts";
import { insertLog } from "../../store/logs.ts";
import { loginSuccessEvent } from "../core/login-record.ts";

/** Auth0's `gty` claim of a client_credentials token. */
export const CLIENT_CREDENTIALS_GTY = "client-credentials";
export const NO_AUDIENCE = "No audience parameter was provided, and no default audience has been configured";
export const RATE_LIMITED = "Too many client_credentials token requests for this client. Try again later.";

/** Auth0's answer when the client has no client grant for the API. */
export function notAuthorizedForApi(audience: string): string {
  return `Client is not authorized to access "${audience}". You need to create a "client-grant" associated to this API. See: https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants`;
}

/**
 * Take one token from the client's bucket (CLIENT_CREDENTIALS_TOKENS_PER_MINUTE, refilled evenly over the minute).
 * One conditional UPDATE in the database decides, so the limit holds across processes.
 */
async function admitClient(ctx: TGrantContext): Promise<void> {
  const perMinute = ctx.deps.env.CLIENT_CREDENTIALS_TOKENS_PER_MINUTE;
  const intervalMs = 60_000 / perMinute;
  const admitted = await takeSend(
    ctx.deps.db,
    `cc:${ctx.client.id}`,
    ctx.now.getTime(),
    intervalMs,
    perMinute,
  );
  if (!admitted) throw new TooManyRequests(RATE_LIMITED, Math.max(1, Math.ceil(intervalMs / 1000)));
}

/**
 * The `client_credentials` grant (machine-to-machine): a confidential client gets an access token for an API it
 * holds a client grant for, with the requested scopes that grant allows (all of them when none are requested).
 * No ID token, no refresh token; rules and actions do not run (Auth0's credentials-exchange trigger is not
 * supported).
 */
export const clientCredentialsGrant: TGrant = {
  grantTypes: [CLIENT_CREDENTIALS],
  params: ["audience", "scope"],
  secretParams: [],
  failureLogType: "feccft",
  async handle(ctx) {
    const { deps, client, params, now } = ctx;
    if (client.tokenEndpointAuthMethod === "none") {
      throw new UnauthorizedClient(`Grant type '${CLIENT_CREDENTIALS}' not allowed for the client.`);
    }
    await admitClient(ctx);
    const audience = params.audience || (await deps.config.tenant()).defaultAudience || undefined;
    if (!audience) throw new AccessDenied(NO_AUDIENCE);
    ctx.audit.audience = audience;
    const api = await deps.config.resourceServer(audience);
    if (!api) throw new AccessDenied(`Service not found: ${audience}`);
    const grant = await findClientGrant(deps.db, client.id, api.identifier);
    if (!grant) throw new AccessDenied(notAuthorizedForApi(audience));
    const apiScopes = new Set(api.scopes.map((s) => s.value));
    const allowed = grant.scope.filter((s) => apiScopes.has(s));
    const requested = (params.scope ?? "").split(" ").filter(Boolean);
    const scope = requested.length === 0 ? allowed : allowed.filter((s) => requested.includes(s));
    ctx.audit.scope = scope.join(" ");
    const issued = await issueTokens({
      deps,
      client,
      user: null,
      api,
      scope,
      gty: CLIENT_CREDENTIALS_GTY,
      now,
    });
    await insertLog(deps.db, loginSuccessEvent(ctx, "seccft"), now);
    return issued.body;
  },
};
