import type { TDeps } from "../config/deps.ts";
import { verifyAccessToken, userClaims } from "../auth/tokens.ts";
import { findUserByUserId } from "../store/users.ts";
import { jsonResponse, readBodyText } from "./core/request.ts";
import { InvalidRequest, serializeOAuthError } from "./core/errors.ts";

/** A form body carries one access token: a few KB at most. */
const MAX_BODY_BYTES = 16 * 1024;

function unauthorized(description: string): Response {
  return jsonResponse(
    401,
    { error: "invalid_token", error_description: description },
    { "www-authenticate": `Bearer error="invalid_token", error_description="${description}"` },
  );
}

/** Bearer token from the Authorization header, or (POST form body) the access_token parameter (RFC 6750). */
async function readBearer(req: Request): Promise<string | null> {
  const header = req.headers.get("authorization");
  if (header && /^bearer /i.test(header)) return header.slice(7).trim() || null;
  if (
    req.method === "POST" &&
    (req.headers.get("content-type") ?? "").startsWith("application/x-www-form-urlencoded")
  ) {
    return new URLSearchParams(await readBodyText(req, MAX_BODY_BYTES)).get("access_token");
  }
  return null;
}

/** GET/POST /userinfo: the user's claims for a valid access token whose audience includes the userinfo URL. */
export async function handleUserinfo(req: Request, deps: TDeps): Promise<Response> {
  let token: string | null;
  try {
    token = await readBearer(req);
  } catch (err) {
    if (!(err instanceof InvalidRequest)) throw err;
    const { status, body, headers } = serializeOAuthError(err);
    return jsonResponse(status, body, headers);
  }
  if (!token) {
    return jsonResponse(
      401,
      { error: "invalid_request", error_description: "Missing access token" },
      { "www-authenticate": "Bearer" },
    );
  }
  let payload;
  try {
    payload = await verifyAccessToken(deps.keys, token, {
      issuer: deps.env.issuer,
      audience: `${deps.env.issuer}userinfo`,
      now: deps.clock.now(),
    });
  } catch {
    return unauthorized("Invalid or expired access token");
  }
  const user = typeof payload.sub === "string" ? await findUserByUserId(deps.db, payload.sub) : null;
  if (!user || user.blocked) return unauthorized("Invalid or expired access token");
  const scope = typeof payload.scope === "string" ? payload.scope.split(" ") : [];
  return jsonResponse(200, { sub: user.userId, ...userClaims(user, scope) });
}
