import type { TDeps } from "../config/deps.ts";
import { insertLog, insertLogRelaxed } from "../store/logs.ts";
import { authenticateClient, readClaimedClientId } from "./core/client-auth.ts";
import {
  InvalidRequest,
  OAuthError,
  UnauthorizedClient,
  UnsupportedGrantType,
  serializeOAuthError,
} from "./core/errors.ts";
import { GRANTS } from "./grants/index.ts";
import { isFirstPartyOnlyGrant } from "./grant-types.ts";
import type { TGrantContext } from "./core/grant-context.ts";
import {
  jsonAnswer,
  parseParams,
  readBodyText,
  readRequestMeta,
  toResponse,
  type TJsonAnswer,
  type TTokenRequest,
} from "./core/request.ts";
import { FORWARDED_FOR_HEADER, resolveEndUserIp } from "../protection/forwarded-ip.ts";
import { errorMessage } from "../platform/logger.ts";
import { recordTokenOutcome } from "./record-token-outcome.ts";

const CLIENT_AUTH_PARAMS = ["grant_type", "client_id", "client_secret"];

export { FORWARDED_FOR_HEADER };

/**
 * POST /oauth/token as a plain Request → Response function (house rule 2). Steps: parse the body, find the grant,
 * authenticate the client, check it may use the grant, run the grant. Every request leaves one audit record.
 */
export async function handleTokenRequest(req: Request, deps: TDeps): Promise<Response> {
  return toResponse(
    await answerTokenRequest(
      { headers: req.headers, readBody: () => readBodyText(req), query: new URL(req.url).search.slice(1) },
      deps,
    ),
  );
}

/**
 * The token endpoint without a web Request/Response around it: our HTTP server calls this directly with node's
 * headers and body (building web objects costs more CPU per request than the SQL of a login).
 */
export async function answerTokenRequest(req: TTokenRequest, deps: TDeps): Promise<TJsonAnswer> {
  const meta = readRequestMeta(req);
  const now = deps.clock.now();
  const startedAt = performance.now();
  const ctx: Partial<TGrantContext> & Pick<TGrantContext, "audit"> = {
    audit: {},
    ip: meta.clientIp,
    clientIp: meta.clientIp,
    userAgent: meta.userAgent,
    hostname: meta.hostname,
    query: req.query ?? "",
    deps,
    now,
  };
  let failureType: TGrantContext["audit"]["failureType"] = "f";
  try {
    const all = await parseParams(req);
    const grantType = all.grant_type;
    if (!grantType) throw new InvalidRequest("Missing required parameter: grant_type");
    ctx.grantType = grantType;
    ctx.audit.client_id = readClaimedClientId(req, all);
    const grant = GRANTS.get(grantType);
    if (!grant) throw new UnsupportedGrantType(`Unsupported grant type: ${grantType}`);
    failureType = grant.failureLogType;

    const { client, isSecretAuthenticated } = await authenticateClient(req, all, deps.config);
    Object.assign(ctx, { client, isSecretAuthenticated });
    ctx.audit.client_id = client.clientId;
    ctx.audit.client_name = client.name;
    if (
      !client.grantTypes.includes(grantType) ||
      (isFirstPartyOnlyGrant(grantType) && !client.isFirstParty)
    ) {
      throw new UnauthorizedClient(`Grant type '${grantType}' not allowed for the client.`);
    }
    ctx.ip = resolveEndUserIp({
      clientIp: ctx.clientIp,
      forwardedFor: req.headers.get(FORWARDED_FOR_HEADER),
      isSecretAuthenticated,
      isHeaderTrusted: client.isTokenEndpointIpHeaderTrusted,
    });
    const params: Record<string, string> = {};
    for (const name of grant.params) {
      const v = all[name];
      if (v !== undefined && !CLIENT_AUTH_PARAMS.includes(name)) params[name] = v;
    }
    ctx.params = params;
    ctx.secretParams = grant.secretParams;
    const body = await grant.handle(ctx as TGrantContext);
    recordTokenOutcome(deps.metrics, ctx, 200, null, startedAt);
    return jsonAnswer(200, body);
  } catch (err) {
    if (!(err instanceof OAuthError)) {
      // Never leak internals to the client; keep the cause for operators (messages carry no secrets).
      deps.log.error({ err: errorMessage(err) }, "token endpoint error");
    }
    const { status, body, headers } = serializeOAuthError(err);
    // A grant that already wrote this request's record (with the change it records) is not logged twice.
    if (!ctx.audit.isLogged)
      await writeFailureLog(
        deps,
        ctx,
        ctx.audit.failureType ?? failureType,
        String(body.error_description),
        now,
      );
    recordTokenOutcome(deps.metrics, ctx, status, err, startedAt);
    return jsonAnswer(status, body, headers);
  }
}

async function writeFailureLog(
  deps: TDeps,
  ctx: Partial<TGrantContext> & Pick<TGrantContext, "audit">,
  type: NonNullable<TGrantContext["audit"]["failureType"]>,
  description: string,
  now: Date,
): Promise<void> {
  const { failureType: _ignored, isLogged: _logged, ...audit } = ctx.audit;
  // Refusals by attack protection can arrive as a flood; their records need not wait for the disk.
  const isRefusal = type === "limit_mu" || type === "limit_wc";
  try {
    await (isRefusal ? insertLogRelaxed : insertLog)(
      deps.db,
      {
        ...audit,
        type,
        description,
        ip: ctx.ip,
        client_ip: ctx.clientIp,
        user_agent: ctx.userAgent,
        hostname: ctx.hostname,
        details: {
          ...audit.details,
          ...(ctx.grantType ? { grant_type: ctx.grantType } : {}),
          error: { message: description },
        },
      },
      now,
    );
  } catch (err) {
    deps.log.error({ err: errorMessage(err) }, "could not write audit record");
  }
}
