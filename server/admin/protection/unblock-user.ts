import type { TDeps } from "../../config/deps.ts";
import { deleteLoginFailuresForIdentifiers } from "../../store/login-failures.ts";
import { deleteNotificationClaims } from "../../store/notification-claims.ts";
import { bruteForceNotificationKey } from "../../protection/notification-mails.ts";
import { logReleasedBlocks } from "../../protection/release-blocks.ts";
import { resolveBlockTarget, type TBlockTarget } from "./find-block-rows.ts";
import { recordAdminChange, type TActor } from "../audit.ts";
import { assertAdminAllowed } from "../admin-access.ts";

/**
 * Remove the brute-force blocks (and failure counts) of an identifier or a user, from every IP — Auth0's
 * `DELETE /user-blocks?identifier=` and `DELETE /user-blocks/{id}`. Admin blocks (`blocked: true`) stay. Each
 * released block is logged as `ublkdu` in the same transaction, and the admin's action as `sapi` (who, which
 * blocks before, none after). Returns how many blocks ended.
 */
export async function unblockUser(
  deps: TDeps,
  admin: TActor,
  target: TBlockTarget,
): Promise<{ released: number }> {
  assertAdminAllowed(admin, "protection:unblock");
  const resolved = await resolveBlockTarget(deps, target);
  const now = deps.clock.now();
  const released = await deps.db.transaction(async (q) => {
    const rows = await deleteLoginFailuresForIdentifiers(q, resolved.identifiers, resolved.connectionId);
    if (resolved.user) await deleteNotificationClaims(q, [bruteForceNotificationKey(resolved.user.userId)]);
    const n = await logReleasedBlocks(
      q,
      rows,
      "admin",
      now,
      resolved.user ? { user_id: resolved.user.userId } : {},
    );
    const blocks = rows
      .filter((r) => r.blockedAt)
      .map((r) => ({ identifier: r.identifier, ip: r.ip || null, count: r.count }));
    await recordAdminChange(q, now, admin, {
      action: "unblock user",
      target: resolved.user?.userId ?? resolved.identifiers.join(", "),
      before: { blocks },
      after: { blocks: [] },
    });
    return n;
  });
  return { released };
}
