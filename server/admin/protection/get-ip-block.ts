import type { TDeps } from "../../config/deps.ts";
import { listIpBuckets } from "../../store/ip-throttles.ts";
import { ipBlockExpiresAt, ipBucketKey } from "../../protection/ip-throttle.ts";
import { parseIpTarget } from "../../platform/ip-key.ts";
import { AdminError } from "../admin-error.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import type { TActor } from "../audit.ts";

const REFUSALS = {
  invalid: (value: string) => `Not an IP address: ${value}`,
  zone_id: (value: string) => `Not accepted: ${value} has a zone id (%…); give the address without it.`,
  ipv4_range: (value: string) => `Not accepted: ${value} is an IPv4 range; IPv4 blocks are per address.`,
};

/**
 * Check an IP from a URL or the CLI: an address in any spelling, or an IPv6 network as the blocks list shows it.
 * Returns its canonical text and the counter keys of every network that contains it.
 */
export function parseIp(value: string): { ip: string; keys: string[] } {
  const target = parseIpTarget(value);
  if (!target.ok) throw AdminError.invalid(REFUSALS[target.reason](value), { code: "invalid_uri" });
  return { ip: target.ip, keys: target.keys };
}

/**
 * Whether suspicious-IP throttling is refusing this IP now (Auth0's `GET /anomaly/blocks/ips/{ip}`: 200 when
 * blocked, 404 when not). The body says since when and until when, and `counted_as`: the bucket refusing it (the
 * address for IPv4, its network at the policy's prefix length for IPv6).
 */
export async function getIpBlock(
  deps: TDeps,
  admin: TActor,
  ipText: string,
): Promise<{ ip: string; counted_as: string; since: string | null; expires: string }> {
  assertAdminAllowed(admin, "logs:read");
  const { ip } = parseIp(ipText);
  const policy = (await deps.config.attackProtection()).suspiciousIp;
  const now = deps.clock.now();
  // A network given as `2001:db8::/64` is asked about by its first address.
  const key = ipBucketKey(policy, ip.split("/")[0]!);
  const [row] = await listIpBuckets(deps.db, { afterMs: now.getTime(), ips: [key] });
  const expires = row ? ipBlockExpiresAt(row.tat, policy) : null;
  if (!row || !expires || expires <= now || !policy.enabled || !policy.shields.includes("block")) {
    throw AdminError.notFound("The IP address is not blocked.", { code: "inexistent_ip_block" });
  }
  return { ip, counted_as: key, since: row.blockedAt?.toISOString() ?? null, expires: expires.toISOString() };
}
