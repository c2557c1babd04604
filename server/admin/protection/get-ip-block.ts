import { isIP } from "node:net";
import type { TDeps } from "../../config/deps.ts";
import { listIpBuckets } from "../../store/protection.ts";
import { ipBlockExpiresAt } from "../../protection/ip-throttle.ts";
import { normalizeIp } from "../../protection/ip-match.ts";
import { AdminError } from "../admin-error.ts";

/** Check an IP from a URL. */
export function parseIp(value: string): string {
  const ip = normalizeIp(value);
  if (isIP(ip) === 0) throw AdminError.invalid(`Not an IP address: ${value}`, { code: "invalid_uri" });
  return ip;
}

/**
 * Whether suspicious-IP throttling is refusing this IP now (Auth0's `GET /anomaly/blocks/ips/{ip}`: 200 when
 * blocked, 404 when not). The body says since when and until when.
 */
export async function getIpBlock(
  deps: TDeps,
  ipText: string,
): Promise<{ ip: string; since: string | null; expires: string }> {
  const ip = parseIp(ipText);
  const policy = (await deps.config.attackProtection()).suspiciousIp;
  const now = deps.clock.now();
  const [row] = await listIpBuckets(deps.sql, { afterMs: now.getTime(), ip });
  const expires = row ? ipBlockExpiresAt(row.tat, policy) : null;
  if (!row || !expires || expires <= now || !policy.enabled || !policy.shields.includes("block")) {
    throw AdminError.notFound("The IP address is not blocked.", { code: "inexistent_ip_block" });
  }
  return { ip, since: row.blockedAt?.toISOString() ?? null, expires: expires.toISOString() };
}
