import type { TDeps } from "../config/deps.ts";
import { findUserByUserId } from "../store/users.ts";
import {
  deleteLoginFailuresForIdentifiers,
  deleteNotificationClaims,
  setPasswordHash,
} from "../store/protection.ts";
import { normalizeIdentifier } from "../protection/brute-force.ts";
import { bruteForceNotificationKey } from "../protection/login-guard.ts";
import { AdminError } from "./admin-error.ts";
import { logReleasedBlocks } from "./protection/release-blocks.ts";

const MIN_LENGTH = 8;
const MAX_LENGTH = 128;

/**
 * Set a user's password (admin reset). As on Auth0, a new password ends the user's brute-force blocks (logged
 * `ublkdu`) and the breached-password block. With breached-password detection on, a breached new password is
 * refused.
 */
export async function setUserPassword(
  deps: TDeps,
  userId: string,
  password: unknown,
): Promise<{ user_id: string; released_blocks: number }> {
  if (typeof password !== "string" || password.length < MIN_LENGTH || password.length > MAX_LENGTH) {
    throw new AdminError(
      400,
      `password must be a string of ${MIN_LENGTH} to ${MAX_LENGTH} characters.`,
      "invalid_body",
    );
  }
  const user = await findUserByUserId(deps.db, userId);
  if (!user) throw new AdminError(404, "The user does not exist.", "inexistent_user");
  const breached = (await deps.config.attackProtection()).breachedPassword;
  if (breached.enabled && (await deps.protection.breached.isBreached(password))) {
    throw new AdminError(
      400,
      "This password appears in a breached-password list; choose another.",
      "password_leaked",
    );
  }
  const hash = await deps.hasher.hash(password);
  const now = deps.clock.now();
  const identifiers = [user.email, user.username].filter((v): v is string => !!v).map(normalizeIdentifier);
  const released = await deps.sql.transaction(async (q) => {
    await setPasswordHash(q, user.id, hash, now);
    const rows = await deleteLoginFailuresForIdentifiers(q, [...new Set(identifiers)], user.connectionId);
    await deleteNotificationClaims(q, [bruteForceNotificationKey(user.userId), `breached|${user.userId}`]);
    return logReleasedBlocks(q, rows, "password_change", now, { user_id: user.userId });
  });
  return { user_id: user.userId, released_blocks: released };
}
