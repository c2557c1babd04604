import type { TIpList } from "../platform/ip-match.ts";
import { canonicalIp } from "../platform/ip-key.ts";

/** Auth0's header for server-side callers forwarding the end user's IP (contract §5.4). */
export const FORWARDED_FOR_HEADER = "auth0-forwarded-for";

/**
 * The end user's IP for one token request: the `auth0-forwarded-for` value when the client is confidential,
 * authenticated with its secret on this very request, is set to trust the header, and the value is a valid IP;
 * otherwise the caller's own address. Counters, allowlists, rules and the log's `ip` use it; `client_ip` does not.
 * The value is canonicalised (IPv4-mapped → IPv4); one with a zone id (`fe80::1%eth0`) is not believed.
 */
export function resolveEndUserIp(input: {
  clientIp: string | undefined;
  forwardedFor: string | null;
  isSecretAuthenticated: boolean;
  isHeaderTrusted: boolean;
}): string | undefined {
  const forwarded = input.forwardedFor ? canonicalIp(input.forwardedFor) : null;
  if (forwarded && input.isSecretAuthenticated && input.isHeaderTrusted) return forwarded;
  return input.clientIp;
}

/**
 * The client address of a request that arrived through trusted reverse proxies. Only when the socket peer is a
 * trusted proxy is X-Forwarded-For read, from the right: proxies append, so entries added by trusted proxies are
 * skipped and the first other entry is the client (anything to its left was sent by the client and is ignored).
 * A malformed entry there (a zone id included) means the chain cannot be believed, and the socket address is used.
 * The address returned is canonical (RFC 5952, IPv4-mapped → IPv4), so one client has one spelling.
 */
export function resolveProxiedClientIp(
  socketIp: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedProxies: TIpList,
): string | undefined {
  const socket = socketIp === undefined ? undefined : (canonicalIp(socketIp) ?? socketIp);
  if (!socket || !forwardedFor || !trustedProxies.has(socket)) return socket;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor)
    .split(",")
    .map((h) => h.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = canonicalIp(hops[i]!);
    if (hop === null) return socket;
    if (!trustedProxies.has(hop)) return hop;
    if (i === 0) return hop;
  }
  return socket;
}
