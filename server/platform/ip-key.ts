import { isIP, isIPv4 } from "node:net";
import ipaddr from "ipaddr.js";

// One place that turns a client address — from the socket, X-Forwarded-For (TRUSTED_PROXIES) or Auth0's
// `auth0-forwarded-for` — into its canonical text and the key its attempts are counted under. Without it the
// counters were keyed by the address text, so one host could rotate through its /64 (2^64 addresses) or respell
// one address (`2001:0db8:0::1`, `2001:db8::1`, `fe80::1%x`) and get a fresh counter every time.

/** IPv6 attempts are counted per network of this many leading bits unless a policy says otherwise. */
export const DEFAULT_IPV6_PREFIX_LENGTH = 64;
/** Wider than a /32 (the smallest allocation a registry makes to an ISP) would lump unrelated networks together. */
export const MIN_IPV6_PREFIX_LENGTH = 32;
export const MAX_IPV6_PREFIX_LENGTH = 128;

/** The key of attempts whose address is missing or cannot be read: they all share one counter. */
export const UNKNOWN_IP_KEY = "unknown";

export type TIpParse =
  | { ok: true; ip: string; family: 4 | 6 }
  /** `zone_id`: an IPv6 address with `%scope`; the scope names an interface of ours, never the client. */
  | { ok: false; reason: "invalid" | "zone_id" };

/**
 * Read one address: RFC 5952 text for IPv6 (lower case, zeros compressed), an IPv4-mapped IPv6 address as the
 * IPv4 address it stands for, IPv4 in dotted decimal only (no octal, hex or short forms). Zone ids are refused.
 */
export function parseIp(text: string): TIpParse {
  const s = text.trim();
  // node's check first: ipaddr.js alone would also read `010.1` or `0x7f.1` as IPv4. Dotted decimal that node
  // accepts (no leading zeros) is already canonical: the common case skips ipaddr.js on the login path.
  if (isIPv4(s)) return { ok: true, ip: s, family: 4 };
  if (isIP(s) === 0) return { ok: false, reason: "invalid" };
  if (s.includes("%")) return { ok: false, reason: "zone_id" };
  const address = ipaddr.process(s);
  return { ok: true, ip: address.toString(), family: address.kind() === "ipv4" ? 4 : 6 };
}

/** The canonical text of an address, or null when it is not one (or carries a zone id). */
export function canonicalIp(text: string): string | null {
  const p = parseIp(text);
  return p.ok ? p.ip : null;
}

/** `prefix` leading bits of an IPv6 address (canonical text) as a network key: `2001:db8::/64`. */
function ipv6Network(ip: string, prefix: number): string {
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${ip}/${prefix}`).toString()}/${prefix}`;
}

/**
 * The counter key of a client address: IPv4 as is, IPv6 as its network at `ipv6PrefixLength` bits (so every
 * address of one /64, however spelled, counts together), anything unreadable as UNKNOWN_IP_KEY.
 */
export function ipCountingKey(ip: string, ipv6PrefixLength: number): string {
  const p = parseIp(ip);
  if (!p.ok) return UNKNOWN_IP_KEY;
  return p.family === 4 ? p.ip : ipv6Network(p.ip, ipv6PrefixLength);
}

/**
 * Whether a stored counter key is one that logins count under now (`""` is the IP-less account-lockout key).
 * Keys of another prefix length (the setting changed) or raw IPv6 text (written before keys were canonical)
 * refuse nothing any more; they only wait to expire.
 */
export function isCurrentIpKey(key: string, ipv6PrefixLength: number): boolean {
  if (key === "" || key === UNKNOWN_IP_KEY) return true;
  const [address = "", prefix] = key.split("/");
  const p = parseIp(address);
  if (!p.ok) return false;
  if (p.family === 4) return prefix === undefined && p.ip === key;
  return key === ipv6Network(p.ip, ipv6PrefixLength);
}

export type TIpTarget =
  | {
      ok: true;
      /** Canonical text of what was given (an address, or an IPv6 network). */
      ip: string;
      /** Every counter key whose network contains it, at any prefix length a policy can have. */
      keys: string[];
    }
  | { ok: false; reason: "invalid" | "zone_id" | "ipv4_range" };

/**
 * What an admin names when checking or lifting an IP block: an address in any spelling, or an IPv6 network as the
 * blocks list shows it (`2001:db8::/64`). Any key whose network contains it matches, so any address of a blocked
 * /64 lifts that /64, and blocks kept under an earlier prefix setting are lifted too.
 */
export function parseIpTarget(text: string): TIpTarget {
  const [address = "", prefixText, extra] = text.trim().split("/");
  const p = parseIp(address);
  if (!p.ok) return p;
  if (extra !== undefined) return { ok: false, reason: "invalid" };
  if (p.family === 4) {
    // IPv4 is counted per address: a range names no single counter.
    if (prefixText === undefined || prefixText === "32") return { ok: true, ip: p.ip, keys: [p.ip] };
    return { ok: false, reason: "ipv4_range" };
  }
  let longest = MAX_IPV6_PREFIX_LENGTH;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > MAX_IPV6_PREFIX_LENGTH)
      return { ok: false, reason: "invalid" };
    longest = Number(prefixText);
  }
  const ip = prefixText === undefined ? p.ip : ipv6Network(p.ip, longest);
  const keys = new Set<string>(prefixText === undefined ? [p.ip] : [ip]);
  for (let prefix = MIN_IPV6_PREFIX_LENGTH; prefix <= longest; prefix++) keys.add(ipv6Network(p.ip, prefix));
  return { ok: true, ip, keys: [...keys] };
}
