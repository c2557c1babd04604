import type { TDeps } from "../../config/deps.ts";
import { listIpBuckets } from "../../store/ip-throttles.ts";
import { listLoginFailures } from "../../store/login-failures.ts";
import { findUserByIdentifier } from "../../store/users.ts";
import { BLOCK_LIFETIME_MS } from "../../protection/brute-force.ts";
import { ipBlockExpiresAt } from "../../protection/ip-throttle.ts";
import { isCurrentIpKey } from "../../platform/ip-key.ts";
import { connectionNames } from "./find-block-rows.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import type { TActor } from "../audit.ts";

export type TUserBlockRow = {
  identifier: string;
  /** The IP counted: an IPv4 address or an IPv6 network (`2001:db8::/64`). Null for account-lockout blocks. */
  ip: string | null;
  connection: string;
  /** Null when no user has this identifier (attacks on made-up names are blocked too). */
  user_id: string | null;
  count: number;
  since: string | null;
  last_failure: string;
  expires: string;
};

export type TIpBlockRow = { ip: string; since: string | null; expires: string };

/**
 * Everything blocked now, for the Blocks screen and `portcullis blocks list`: identifier blocks (identifier, IP,
 * count, since, expires) and throttled IPs. `enforced` is false in monitoring mode (nothing is refused). Counters
 * kept under another IPv6 prefix length than the policy's (it changed) refuse nothing and are not listed.
 */
export async function listBlocks(
  deps: TDeps,
  admin: TActor,
): Promise<{
  users: TUserBlockRow[];
  ips: TIpBlockRow[];
  enforced: { brute_force: boolean; suspicious_ip: boolean };
}> {
  assertAdminAllowed(admin, "logs:read");
  const { bruteForce, suspiciousIp } = await deps.config.attackProtection();
  const now = deps.clock.now();
  const names = await connectionNames(deps);
  const rows = bruteForce.enabled
    ? await listLoginFailures(deps.db, {
        minCount: bruteForce.max_attempts,
        since: new Date(now.getTime() - BLOCK_LIFETIME_MS),
      })
    : [];
  const users: TUserBlockRow[] = [];
  for (const r of rows) {
    if (!isCurrentIpKey(r.ip, bruteForce.ipv6_prefix_length)) continue;
    const user = await findUserByIdentifier(deps.db, r.connectionId, r.identifier);
    users.push({
      identifier: r.identifier,
      ip: r.ip || null,
      connection: names.get(r.connectionId) ?? r.connectionId,
      user_id: user?.userId ?? null,
      count: r.count,
      since: r.blockedAt?.toISOString() ?? null,
      last_failure: r.lastFailureAt.toISOString(),
      expires: new Date(r.lastFailureAt.getTime() + BLOCK_LIFETIME_MS).toISOString(),
    });
  }
  const ips: TIpBlockRow[] = [];
  if (suspiciousIp.enabled) {
    for (const b of await listIpBuckets(deps.db, { afterMs: now.getTime() })) {
      if (!isCurrentIpKey(b.ip, suspiciousIp.ipv6_prefix_length)) continue;
      const expires = ipBlockExpiresAt(b.tat, suspiciousIp);
      if (expires > now)
        ips.push({ ip: b.ip, since: b.blockedAt?.toISOString() ?? null, expires: expires.toISOString() });
    }
  }
  return {
    users,
    ips,
    enforced: {
      brute_force: bruteForce.enabled && bruteForce.shields.includes("block"),
      suspicious_ip: suspiciousIp.enabled && suspiciousIp.shields.includes("block"),
    },
  };
}
