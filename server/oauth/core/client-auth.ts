import { AccessDenied, InvalidRequest } from "./errors.ts";
import { isUnstorable, type THeaderReader } from "./request.ts";
import { matchesDigest } from "../../crypto/digest.ts";
import type { TClientRecord } from "../../store/clients.ts";
import type { TConfigCache } from "./config-cache.ts";

export type TAuthenticatedClient = {
  client: TClientRecord;
  /** True when this request proved possession of the client secret (needed to trust auth0-forwarded-for). */
  isSecretAuthenticated: boolean;
};

const UNAUTHORIZED = "Unauthorized";
// A digest no secret matches, compared when the client is unknown so the answer takes the same time.
const NO_MATCH_DIGEST = "0".repeat(64);

function parseBasic(header: string | null): { id: string; secret: string } | null {
  if (!header || !/^basic /i.test(header)) return null;
  let decoded: string;
  try {
    decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
  } catch {
    throw new InvalidRequest("Malformed Basic authorization header.");
  }
  const i = decoded.indexOf(":");
  if (i < 0) throw new InvalidRequest("Malformed Basic authorization header.");
  try {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before Base64.
    return {
      id: decodeURIComponent(decoded.slice(0, i).replace(/\+/g, " ")),
      secret: decodeURIComponent(decoded.slice(i + 1).replace(/\+/g, " ")),
    };
  } catch {
    throw new InvalidRequest("Malformed Basic authorization header.");
  }
}

/** The client_id a request claims (body or Basic header), for audit records of failed requests. Never throws. */
export function readClaimedClientId(
  req: { headers: THeaderReader },
  params: Record<string, string>,
): string | undefined {
  try {
    return parseBasic(req.headers.get("authorization"))?.id ?? params.client_id;
  } catch {
    return params.client_id;
  }
}

/**
 * Authenticate the client by the method it is configured for: client_secret_post (secret in the body),
 * client_secret_basic (HTTP Basic) or none (public client, no secret accepted). Every failure is the same
 * 401 access_denied "Unauthorized"; secrets are compared as SHA-256 digests in constant time.
 */
export async function authenticateClient(
  req: { headers: THeaderReader },
  params: Record<string, string>,
  config: TConfigCache,
): Promise<TAuthenticatedClient> {
  const basic = parseBasic(req.headers.get("authorization"));
  if (basic && params.client_secret !== undefined) {
    throw new InvalidRequest("Use only one client authentication method.");
  }
  if (basic && params.client_id !== undefined && params.client_id !== basic.id) {
    throw new InvalidRequest("client_id does not match the Authorization header.");
  }
  const clientId = basic?.id ?? params.client_id;
  if (!clientId) throw new InvalidRequest("Missing required parameter: client_id");
  // No client has such an id, and looking one up would fail the store (a Basic header or an MFA API body can carry it).
  if (isUnstorable(clientId)) throw new AccessDenied(UNAUTHORIZED, 401);

  const client = await config.client(clientId);
  const presented = basic?.secret ?? params.client_secret;
  const method = basic
    ? "client_secret_basic"
    : params.client_secret !== undefined
      ? "client_secret_post"
      : "none";
  if (!client) {
    if (presented) matchesDigest(presented, NO_MATCH_DIGEST);
    throw new AccessDenied(UNAUTHORIZED, 401);
  }
  if (client.tokenEndpointAuthMethod === "none") {
    if (presented !== undefined) throw new AccessDenied(UNAUTHORIZED, 401);
    return { client, isSecretAuthenticated: false };
  }
  const ok =
    method === client.tokenEndpointAuthMethod &&
    presented !== undefined &&
    client.clientSecretHash !== null &&
    matchesDigest(presented, client.clientSecretHash);
  if (!ok) throw new AccessDenied(UNAUTHORIZED, 401);
  return { client, isSecretAuthenticated: true };
}
