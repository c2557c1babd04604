import { BlockList, isIP } from "node:net";

/** An IPv4-mapped IPv6 address (::ffff:1.2.3.4) as the plain IPv4 address it stands for. */
export function normalizeIp(ip: string): string {
  const lower = ip.trim().toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower);
  return mapped?.[1] ?? lower;
}

/** Whether `entry` is an IPv4/IPv6 address or a CIDR range with a prefix length valid for its family. */
export function isIpOrCidr(entry: string): boolean {
  const [address, prefix, extra] = entry.trim().split("/");
  if (extra !== undefined || !address) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

export interface TIpList {
  /** Whether `ip` is one of the listed addresses or inside one of the listed ranges (IPv4 and IPv6). */
  has(ip: string | undefined): boolean;
}

/** Compile IP/CIDR entries (already validated with isIpOrCidr) into a matcher. Invalid entries match nothing. */
export function compileIpList(entries: readonly string[]): TIpList {
  if (entries.length === 0) return { has: () => false };
  const list = new BlockList();
  for (const raw of entries) {
    if (!isIpOrCidr(raw)) continue;
    const [address = "", prefix] = raw.trim().split("/");
    const ip = normalizeIp(address);
    const type = isIP(ip) === 4 ? "ipv4" : "ipv6";
    if (prefix === undefined) list.addAddress(ip, type);
    else list.addSubnet(ip, Number(prefix), type);
  }
  return {
    has(ip) {
      if (!ip) return false;
      const n = normalizeIp(ip);
      const family = isIP(n);
      if (family === 0) return false;
      return list.check(n, family === 4 ? "ipv4" : "ipv6");
    },
  };
}
