import { BlockList } from "node:net";
import { parseIp } from "./ip-key.ts";

type TEntry = { address: string; family: 4 | 6; prefix: number | undefined };

/** An allowlist or TRUSTED_PROXIES entry read: canonical address, an IPv4-mapped range as the IPv4 range. */
function parseEntry(entry: string): TEntry | null {
  const [text = "", prefixText, extra] = entry.trim().split("/");
  if (extra !== undefined) return null;
  const p = parseIp(text);
  if (!p.ok) return null;
  if (prefixText === undefined) return { address: p.ip, family: p.family, prefix: undefined };
  if (!/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  // `::ffff:10.0.0.0/104` is written as IPv6 but can only match IPv4 clients (their mapped form is read as IPv4).
  const isMapped = p.family === 4 && text.includes(":");
  if (isMapped)
    return prefix >= 96 && prefix <= 128 ? { address: p.ip, family: 4, prefix: prefix - 96 } : null;
  return prefix <= (p.family === 4 ? 32 : 128) ? { address: p.ip, family: p.family, prefix } : null;
}

/** Whether `entry` is an IPv4/IPv6 address or a CIDR range with a prefix length valid for its family (no zone id). */
export function isIpOrCidr(entry: string): boolean {
  return parseEntry(entry) !== null;
}

export interface TIpList {
  /** Whether `ip` (any spelling) is one of the listed addresses or inside one of the listed ranges. */
  has(ip: string | undefined): boolean;
}

/** Compile IP/CIDR entries (already validated with isIpOrCidr) into a matcher. Invalid entries match nothing. */
export function compileIpList(entries: readonly string[]): TIpList {
  if (entries.length === 0) return { has: () => false };
  const list = new BlockList();
  for (const raw of entries) {
    const e = parseEntry(raw);
    if (!e) continue;
    const type = e.family === 4 ? "ipv4" : "ipv6";
    if (e.prefix === undefined) list.addAddress(e.address, type);
    else list.addSubnet(e.address, e.prefix, type);
  }
  return {
    has(ip) {
      if (!ip) return false;
      const p = parseIp(ip);
      return p.ok && list.check(p.ip, p.family === 4 ? "ipv4" : "ipv6");
    },
  };
}
