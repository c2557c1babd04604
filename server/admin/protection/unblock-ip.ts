import type { TDeps } from "../../config/deps.ts";
import {
  deleteIpBucket,
  deleteLoginFailuresForIp,
  deleteNotificationClaims,
} from "../../store/protection.ts";
import { insertLogRaw } from "../../store/logins.ts";
import { logReleasedBlocks } from "./release-blocks.ts";
import { parseIp } from "./get-ip-block.ts";

/**
 * Auth0's `DELETE /anomaly/blocks/ips/{ip}`: refill the IP's suspicious-IP bucket and remove the brute-force
 * blocks kept for that IP (which is how blocks of identifiers that do not exist are lifted). Logged as `ublkdu`.
 */
export async function unblockIp(deps: TDeps, ipText: string): Promise<void> {
  const ip = parseIp(ipText);
  const now = deps.clock.now();
  await deps.sql.transaction(async (q) => {
    const bucket = await deleteIpBucket(q, ip);
    if (bucket?.blockedAt) {
      await insertLogRaw(
        q,
        {
          type: "ublkdu",
          description: "Suspicious-IP block removed by an administrator",
          ip,
          details: { reason: "admin_ip", blocked_since: bucket.blockedAt.toISOString() },
        },
        now,
      );
    }
    await logReleasedBlocks(q, await deleteLoginFailuresForIp(q, ip), "admin_ip", now, { ip });
    await deleteNotificationClaims(q, [`ip_throttle|${ip}`]);
  });
}
