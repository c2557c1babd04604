import type { TDeps } from "../config/deps.ts";
import { deleteLoginFailures, deleteNotificationClaims } from "../store/protection.ts";
import { logReleasedBlocks } from "../admin/protection/release-blocks.ts";
import { bruteForceNotificationKey } from "./login-guard.ts";

export type TUnblockLinkState = { isValid: true; expiresAt: Date } | { isValid: false };

/** What the unblock page shows for a link: no side effects, so fetching the link (mail scanners) changes nothing. */
export function inspectUnblockLink(deps: TDeps, token: string): TUnblockLinkState {
  const claim = deps.protection.unblockLinks.verify(token, deps.clock.now());
  return claim ? { isValid: true, expiresAt: claim.expiresAt } : { isValid: false };
}

/**
 * The unblock page's button (a POST): end the block the link was mailed for, logged as `ublkdu`.
 * "unblocked" also when there was nothing left to lift; "invalid" for a forged or expired link.
 */
export async function redeemUnblockLink(
  deps: TDeps,
  token: string,
): Promise<"unblocked" | "not_blocked" | "invalid"> {
  const now = deps.clock.now();
  const claim = deps.protection.unblockLinks.verify(token, now);
  if (!claim) return "invalid";
  const released = await deps.sql.transaction(async (q) => {
    const rows = await deleteLoginFailures(q, [claim.key]);
    await deleteNotificationClaims(q, [bruteForceNotificationKey(claim.userId)]);
    return logReleasedBlocks(q, rows, "unblock_link", now, { user_id: claim.userId });
  });
  return released > 0 ? "unblocked" : "not_blocked";
}
