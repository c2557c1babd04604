import type { TDeps } from "../../config/deps.ts";
import { listLoginFailures } from "../../store/login-failures.ts";
import { BLOCK_LIFETIME_MS } from "../../protection/brute-force.ts";
import { isCurrentIpKey } from "../../platform/ip-key.ts";
import { connectionNames, resolveBlockTarget, type TBlockTarget } from "./find-block-rows.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import type { TActor } from "../audit.ts";

/**
 * Current brute-force blocks of an identifier or a user, in Auth0's `GET /user-blocks` shape:
 * `{blocked_for: [{identifier, ip, connection}]}` (ip omitted for account-lockout blocks; an IPv6 network such as
 * `2001:db8::/64` where IPv6 is counted per network).
 */
export async function getUserBlocks(
  deps: TDeps,
  admin: TActor,
  target: TBlockTarget,
): Promise<{ blocked_for: { identifier: string; ip?: string; connection: string }[] }> {
  // A user's block state (dashboard roles: the same as logs:read; for a client, Auth0's read:users).
  assertAdminAllowed(admin, "users:read");
  const resolved = await resolveBlockTarget(deps, target);
  const policy = (await deps.config.attackProtection()).bruteForce;
  if (!policy.enabled || !policy.shields.includes("block")) return { blocked_for: [] };
  const now = deps.clock.now();
  const rows = await listLoginFailures(deps.db, {
    minCount: policy.max_attempts,
    since: new Date(now.getTime() - BLOCK_LIFETIME_MS),
    identifiers: resolved.identifiers,
    connectionId: resolved.connectionId,
  });
  const names = await connectionNames(deps);
  return {
    blocked_for: rows
      .filter((r) => isCurrentIpKey(r.ip, policy.ipv6_prefix_length))
      .map((r) => ({
        identifier: r.identifier,
        ...(r.ip ? { ip: r.ip } : {}),
        connection: names.get(r.connectionId) ?? r.connectionId,
      })),
  };
}
