import type { TDeps } from "../config/deps.ts";
import { insertLog } from "../store/logs.ts";
import { findRefreshToken, revokeRefreshFamily } from "../store/refresh-tokens.ts";
import { findUserById } from "../store/users.ts";
import { sha256Hex } from "../crypto/digest.ts";
import { errorMessage } from "../platform/logger.ts";
import { FORWARDED_FOR_HEADER, resolveEndUserIp } from "../protection/forwarded-ip.ts";
import { authenticateClient, type TAuthenticatedClient } from "./core/client-auth.ts";
import {
  AccessDenied,
  InvalidClient,
  InvalidRequest,
  OAuthError,
  serializeOAuthError,
} from "./core/errors.ts";
import {
  jsonAnswer,
  parseParams,
  readBodyText,
  readRequestMeta,
  toResponse,
  type TJsonAnswer,
  type TTokenRequest,
} from "./core/request.ts";

/** Auth0's answer to every accepted revocation: 200 with an empty body (node-auth0 reads it as a VoidApiResponse). */
const REVOKED: TJsonAnswer = {
  status: 200,
  headers: { "cache-control": "no-store", pragma: "no-cache" },
  body: "",
};

/** POST /oauth/revoke as a plain Request → Response function (the Next.js route and tests call this). */
export async function handleRevokeRequest(req: Request, deps: TDeps): Promise<Response> {
  return toResponse(
    await answerRevokeRequest({ headers: req.headers, readBody: () => readBodyText(req) }, deps),
  );
}

/**
 * POST /oauth/revoke (RFC 7009 with Auth0's answers): `token` and `client_id`, the client authenticated exactly as at
 * the token endpoint (client_secret_post, client_secret_basic, or none for a public client). A refresh token of the
 * calling client is revoked with its whole rotation family (every token rotated from or into it, so a copy held by
 * someone else dies too) and the revocation is logged `srrt`. Unknown, expired or already revoked tokens, access
 * tokens and another client's refresh tokens get the same empty 200 and change nothing, so the answer tells the
 * caller nothing about a token it does not own. Errors: 400 `invalid_request` (missing parameter, malformed body),
 * 401 `invalid_client` (client authentication failed).
 */
export async function answerRevokeRequest(req: TTokenRequest, deps: TDeps): Promise<TJsonAnswer> {
  try {
    const params = await parseParams(req);
    const token = params.token;
    if (!token) throw new InvalidRequest("Missing required parameter: token");
    let authenticated: TAuthenticatedClient;
    try {
      authenticated = await authenticateClient(req, params, deps.config);
    } catch (err) {
      // The token endpoint answers Auth0's 401 access_denied; at /oauth/revoke Auth0 documents 401 invalid_client.
      if (err instanceof AccessDenied) throw new InvalidClient("Unauthorized");
      throw err;
    }
    await revokeFamilyOf(token, authenticated, req, deps);
    return REVOKED;
  } catch (err) {
    if (!(err instanceof OAuthError)) deps.log.error({ err: errorMessage(err) }, "revocation endpoint error");
    const { status, body, headers } = serializeOAuthError(err);
    return jsonAnswer(status, body, headers);
  }
}

async function revokeFamilyOf(
  presented: string,
  { client, isSecretAuthenticated }: TAuthenticatedClient,
  req: TTokenRequest,
  deps: TDeps,
): Promise<void> {
  const token = await findRefreshToken(deps.db, sha256Hex(presented));
  // Another client's token is left alone and answered like an unknown one (RFC 7009 §2.1).
  if (!token || token.clientId !== client.id) return;
  const now = deps.clock.now();
  const meta = readRequestMeta(req);
  const user = await findUserById(deps.db, token.userId);
  await deps.db.transaction(async (tx) => {
    const revoked = await revokeRefreshFamily(tx, token.familyId, now);
    // Nothing was live any more (revoked before, or the family was already killed): nothing happened to log.
    if (revoked === 0) return;
    await insertLog(
      tx,
      {
        type: "srrt",
        description: "",
        client_id: client.clientId,
        client_name: client.name,
        user_id: user?.userId,
        user_name: user ? (user.email ?? user.username ?? undefined) : undefined,
        ip: resolveEndUserIp({
          clientIp: meta.clientIp,
          forwardedFor: req.headers.get(FORWARDED_FOR_HEADER),
          isSecretAuthenticated,
          isHeaderTrusted: client.isTokenEndpointIpHeaderTrusted,
        }),
        client_ip: meta.clientIp,
        user_agent: meta.userAgent,
        hostname: meta.hostname,
        audience: token.audience ?? undefined,
        details: { family_id: token.familyId, revoked },
      },
      now,
    );
  });
}
