import type { TDeps } from "../config/deps.ts";
import {
  consumeUnblockLink,
  deleteExpiredUnblockLinkUses,
  isUnblockLinkUsed,
} from "../store/unblock-link-uses.ts";
import { deleteLoginFailures } from "../store/login-failures.ts";
import { deleteNotificationClaims } from "../store/notification-claims.ts";
import { sha256Hex } from "../crypto/digest.ts";
import { logReleasedBlocks } from "./release-blocks.ts";
import { bruteForceNotificationKey } from "./notification-mails.ts";

export type TUnblockLinkState = { isValid: true; expiresAt: Date } | { isValid: false };

/**
 * What the unblock page shows for a link: no side effects, so fetching the link (mail scanners) changes nothing.
 * A forged, expired or already used link is not valid.
 */
export async function inspectUnblockLink(deps: TDeps, token: string): Promise<TUnblockLinkState> {
  const claim = deps.protection.unblockLinks.verify(token, deps.clock.now());
  if (!claim || (await isUnblockLinkUsed(deps.db, sha256Hex(token)))) return { isValid: false };
  return { isValid: true, expiresAt: claim.expiresAt };
}

/**
 * The unblock page's button (a POST): end the block the link was mailed for, logged as `ublkdu`. A link works
 * once: its use is recorded (as a hash) in the transaction that lifts the block, so of two concurrent redemptions,
 * in any process, one lifts it and the other is "invalid" like a forged or expired link. "not_blocked" when there
 * was nothing left to lift (the link is used up all the same).
 */
export async function redeemUnblockLink(
  deps: TDeps,
  token: string,
): Promise<"unblocked" | "not_blocked" | "invalid"> {
  const now = deps.clock.now();
  const claim = deps.protection.unblockLinks.verify(token, now);
  if (!claim) return "invalid";
  const released = await deps.db.transaction(async (q) => {
    if (!(await consumeUnblockLink(q, sha256Hex(token), now, claim.expiresAt))) return null;
    await deleteExpiredUnblockLinkUses(q, now);
    const rows = await deleteLoginFailures(q, [claim.key]);
    await deleteNotificationClaims(q, [bruteForceNotificationKey(claim.userId)]);
    return logReleasedBlocks(q, rows, "unblock_link", now, { user_id: claim.userId });
  });
  if (released === null) return "invalid";
  return released > 0 ? "unblocked" : "not_blocked";
}
