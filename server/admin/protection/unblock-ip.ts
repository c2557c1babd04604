import type { TDeps } from "../../config/deps.ts";
import { deleteIpBuckets } from "../../store/ip-throttles.ts";
import { deleteLoginFailuresForIps } from "../../store/login-failures.ts";
import { deleteNotificationClaims } from "../../store/notification-claims.ts";
import { insertLog } from "../../store/logs.ts";
import { ipThrottleNotificationKey } from "../../protection/notification-mails.ts";
import { logReleasedBlocks } from "../../protection/release-blocks.ts";
import { parseIp } from "./get-ip-block.ts";
import { recordAdminChange, type TActor } from "../audit.ts";
import { assertAdminAllowed } from "../admin-access.ts";

/**
 * Auth0's `DELETE /anomaly/blocks/ips/{ip}`: refill the IP's suspicious-IP bucket and remove the brute-force
 * blocks kept for that IP (which is how blocks of identifiers that do not exist are lifted). An IPv6 address is
 * counted with its network, so any address of a blocked /64 (in any spelling), or the network itself, lifts the
 * /64's blocks, and those kept under another prefix setting. Logged as `ublkdu`, and the admin's action as `sapi`
 * (who, the IP's blocks before, none after), in the same transaction.
 */
export async function unblockIp(deps: TDeps, admin: TActor, ipText: string): Promise<void> {
  assertAdminAllowed(admin, "protection:unblock");
  const { ip, keys: networkKeys } = parseIp(ipText);
  // Rows written before keys were canonical hold the address as it was sent (lower-cased).
  const keys = [...new Set([...networkKeys, ipText.trim().toLowerCase()])];
  const now = deps.clock.now();
  await deps.db.transaction(async (q) => {
    const throttled = (await deleteIpBuckets(q, keys)).flatMap((b) =>
      b.blockedAt ? [{ ip: b.ip, since: b.blockedAt.toISOString() }] : [],
    );
    for (const bucket of throttled) {
      await insertLog(
        q,
        {
          type: "ublkdu",
          description: "Suspicious-IP block removed by an administrator",
          ip,
          details: { reason: "admin_ip", blocked_ip: bucket.ip, blocked_since: bucket.since },
        },
        now,
      );
    }
    const rows = await deleteLoginFailuresForIps(q, keys);
    await logReleasedBlocks(q, rows, "admin_ip", now, { ip });
    await deleteNotificationClaims(q, keys.map(ipThrottleNotificationKey));
    await recordAdminChange(q, now, admin, {
      action: "unblock ip",
      target: ip,
      before: {
        ip_throttled_since: throttled.map((b) => b.since).sort()[0] ?? null,
        throttled: throttled.map((b) => b.ip),
        blocks: rows
          .filter((r) => r.blockedAt)
          .map((r) => ({ identifier: r.identifier, ip: r.ip, count: r.count })),
      },
      after: { ip_throttled_since: null, throttled: [], blocks: [] },
    });
  });
}
