import type { TDeps } from "../../config/deps.ts";
import {
  deleteIpBucket,
  deleteLoginFailuresForIp,
  deleteNotificationClaims,
} from "../../store/protection.ts";
import { insertLogRaw } from "../../store/logins.ts";
import { logReleasedBlocks } from "./release-blocks.ts";
import { parseIp } from "./get-ip-block.ts";
import { recordAdminChangeRaw, type TActor } from "../audit.ts";
import { assertAdminAllowed } from "../admin-access.ts";

/**
 * Auth0's `DELETE /anomaly/blocks/ips/{ip}`: refill the IP's suspicious-IP bucket and remove the brute-force
 * blocks kept for that IP (which is how blocks of identifiers that do not exist are lifted). Logged as `ublkdu`,
 * and the admin's action as `sapi` (who, the IP's blocks before, none after), in the same transaction.
 */
export async function unblockIp(deps: TDeps, admin: TActor, ipText: string): Promise<void> {
  assertAdminAllowed(admin, "protection:unblock");
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
    const rows = await deleteLoginFailuresForIp(q, ip);
    await logReleasedBlocks(q, rows, "admin_ip", now, { ip });
    await deleteNotificationClaims(q, [`ip_throttle|${ip}`]);
    await recordAdminChangeRaw(q, now, admin, {
      action: "unblock ip",
      target: ip,
      before: {
        ip_throttled_since: bucket?.blockedAt?.toISOString() ?? null,
        blocks: rows.filter((r) => r.blockedAt).map((r) => ({ identifier: r.identifier, count: r.count })),
      },
      after: { ip_throttled_since: null, blocks: [] },
    });
  });
}
