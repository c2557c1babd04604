import { lookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";

type TAddr = ipaddr.IPv4 | ipaddr.IPv6;

/** The address a rule's request connects to, chosen and checked before any connection is made. */
export type TFetchTarget = { address: string; family: 4 | 6 };

/** Resolve a host name to all its addresses (dns.lookup, so /etc/hosts counts as it would for any client). */
export type TLookupAll = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const lookupAll: TLookupAll = (hostname) => lookup(hostname, { all: true, verbatim: true });

/** Parse an address, reading IPv4-mapped IPv6 (`::ffff:10.0.0.1`) as the IPv4 address it carries. */
function parseAddress(text: string): TAddr | null {
  if (!ipaddr.isValid(text)) return null;
  const a = ipaddr.parse(text);
  return a instanceof ipaddr.IPv6 && a.isIPv4MappedAddress() ? a.toIPv4Address() : a;
}

/**
 * Allowlist entries that name addresses literally: an IP (`10.0.0.5`, `10.0.0.5:8080`, `[fd00::1]:443`) or a CIDR
 * (`10.0.0.0/8`, `fd00::/8`). Only these open private, loopback, link-local, unique-local or metadata addresses;
 * a host name on the list never does, whatever it resolves to.
 */
export function literalNetworks(allowed: readonly string[]): [TAddr, number][] {
  const out: [TAddr, number][] = [];
  for (const raw of allowed) {
    const e = raw.trim().toLowerCase();
    if (ipaddr.isValidCIDR(e)) {
      const [net, bits] = ipaddr.parseCIDR(e);
      out.push(
        net instanceof ipaddr.IPv6 && net.isIPv4MappedAddress() && bits >= 96
          ? [net.toIPv4Address(), bits - 96]
          : [net, bits],
      );
      continue;
    }
    const host = e.startsWith("[") ? e.slice(1, e.indexOf("]")) : e.replace(/:\d{1,5}$/, "");
    const a = parseAddress(host);
    if (a) out.push([a, a.kind() === "ipv4" ? 32 : 128]);
  }
  return out;
}

function isLiterallyAllowed(a: TAddr, networks: readonly [TAddr, number][]): boolean {
  return networks.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits));
}

/**
 * Pick the address a request to `url` connects to: an IP in the URL as written, otherwise the host name resolved
 * once. Every address must be public unicast (not loopback, private, link-local, unique-local, carrier-grade NAT,
 * multicast, reserved, or an IPv4 address wrapped in IPv6) unless the allowlist names that IP or a CIDR holding it;
 * one bad address refuses the request, so a name that resolves to a public and a private address is refused too.
 * The caller connects to the returned address, so a second DNS answer can never send the request elsewhere.
 */
export async function resolveFetchTarget(
  url: URL,
  allowed: readonly string[],
  resolve: TLookupAll = lookupAll,
): Promise<TFetchTarget | { error: string }> {
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  let addresses: string[];
  if (ipaddr.isValid(host)) addresses = [host];
  else {
    try {
      addresses = (await resolve(host)).map((r) => r.address);
    } catch {
      return { error: `fetch: ${host} could not be resolved` };
    }
    if (addresses.length === 0) return { error: `fetch: ${host} could not be resolved` };
  }
  const networks = literalNetworks(allowed);
  for (const text of addresses) {
    const a = parseAddress(text);
    const isWrapped = ipaddr.isValid(text) && ipaddr.parse(text).kind() !== a?.kind();
    if (!a) return { error: `fetch: ${host} resolved to an unreadable address` };
    if ((isWrapped || a.range() !== "unicast") && !isLiterallyAllowed(a, networks))
      return {
        error: `fetch: ${host} is a ${isWrapped ? "IPv4-mapped" : a.range()} address (${a.toString()}); only addresses the allowlist names as an IP or CIDR may be reached`,
      };
  }
  const first = addresses[0]!;
  return { address: first, family: ipaddr.parse(first).kind() === "ipv4" ? 4 : 6 };
}
