import { errors } from "jose";
import type { TDeps } from "../config/deps.ts";
import { verifyAccessToken } from "../auth/tokens.ts";
import { findClientGrant } from "../store/client-grants.ts";
import type { TAdmin } from "../admin/session.ts";
import { CLIENT_CREDENTIALS_GTY } from "../oauth/grants/client-credentials.ts";
import { managementAudience } from "./management-api.ts";
import { ManagementError } from "./management-error.ts";

/** A Management API caller: a client acting through the use cases, its scopes in place of a role. */
export type TManagementCaller = TAdmin & { client: NonNullable<TAdmin["client"]> };

const MISSING = "Missing authentication";
const INVALID = "Invalid token";
const EXPIRED = "Expired token received for JSON Web Token validation";

/**
 * Who calls `/api/v2`: the bearer token must be an RS256 access token this server issued for the Management API
 * (signature, issuer, audience, expiry) through client_credentials, to a client that still exists. Its scopes count
 * only as far as the client's grant for the Management API still allows them, so revoking or narrowing a grant
 * takes effect at once instead of when the token expires (Auth0 waits for the expiry).
 */
export async function authenticateManagement(req: Request, deps: TDeps): Promise<TManagementCaller> {
  const header = req.headers.get("authorization");
  if (!header) throw ManagementError.unauthorized(MISSING);
  const m = /^Bearer +([A-Za-z0-9._~+/=-]+) *$/i.exec(header);
  if (!m) throw ManagementError.unauthorized(INVALID);
  const audience = managementAudience(deps.env.PUBLIC_URL);
  let payload;
  try {
    payload = await verifyAccessToken(deps.keys, m[1]!, {
      issuer: deps.env.issuer,
      audience,
      now: deps.clock.now(),
    });
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw ManagementError.unauthorized(EXPIRED);
    if (err instanceof errors.JWTClaimValidationFailed && err.claim === "aud")
      throw ManagementError.unauthorized(`Bad audience: ${audienceOf(m[1]!)}`);
    throw ManagementError.unauthorized(INVALID);
  }
  const clientId = typeof payload.azp === "string" ? payload.azp : "";
  // Only machine-to-machine tokens: a user's token (a `sub` that is a user id) never reaches the Management API.
  if (payload.gty !== CLIENT_CREDENTIALS_GTY || payload.sub !== `${clientId}@clients` || !clientId)
    throw ManagementError.unauthorized(INVALID);
  const client = await deps.config.client(clientId);
  if (!client) throw ManagementError.unauthorized(INVALID);
  const grant = await findClientGrant(deps.db, client.id, audience);
  const granted = new Set(grant?.scope ?? []);
  const scopes = (typeof payload.scope === "string" ? payload.scope.split(" ") : []).filter((s) =>
    granted.has(s),
  );
  return {
    id: client.clientId,
    email: `${client.clientId}@clients`,
    role: "viewer",
    totpEnabled: false,
    client: { clientId: client.clientId, name: client.name, scopes },
  };
}

/** The `aud` of an unverified token, for Auth0's "Bad audience" message (its signature was checked by then). */
function audienceOf(token: string): string {
  try {
    const body = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as {
      aud?: unknown;
    };
    const aud = Array.isArray(body.aud) ? body.aud.map(String).join(" ") : String(body.aud ?? "");
    return aud.slice(0, 200);
  } catch {
    return "";
  }
}
