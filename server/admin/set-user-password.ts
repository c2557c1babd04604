import type { TDeps } from "../config/deps.ts";
import { findUserByUserId } from "../store/users.ts";
import { findConnectionById } from "../store/connections.ts";
import { rememberPassword } from "../auth/password-policy.ts";
import { revokeUserRefreshTokens } from "../store/refresh-tokens.ts";
import { deleteLoginFailuresForIdentifiers } from "../store/login-failures.ts";
import { deleteNotificationClaims } from "../store/notification-claims.ts";
import { setPasswordHash } from "../store/user-passwords.ts";
import { normalizeIdentifier } from "../protection/brute-force.ts";
import { bruteForceNotificationKey } from "../protection/notification-mails.ts";
import { AdminError } from "./admin-error.ts";
import { recordAdminChange, type TActor } from "./audit.ts";
import { findPasswordProblem } from "./find-password-problem.ts";
import { logReleasedBlocks } from "../protection/release-blocks.ts";
import { assertAdminAllowed } from "./admin-access.ts";

/**
 * Set a user's password (admin reset), checked against the user's connection's password policy (history included)
 * and remembered in the user's password history. As on Auth0, a new password ends the user's brute-force blocks (logged
 * `ublkdu`) and the breached-password block. It also revokes the user's refresh tokens: whoever knew the old
 * password may hold one. With breached-password detection on, a breached new password is refused. Audited (`sapi`,
 * with the acting admin and the number of tokens revoked) in the same transaction; neither password nor hash is
 * recorded.
 */
export async function setUserPassword(
  deps: TDeps,
  admin: TActor,
  userId: string,
  password: unknown,
): Promise<{ user_id: string; released_blocks: number; revoked_refresh_tokens: number }> {
  assertAdminAllowed(admin, "users:write");
  if (typeof password !== "string") {
    throw AdminError.invalid("password must be a string.", { code: "invalid_body" });
  }
  const user = await findUserByUserId(deps.db, userId);
  if (!user) throw AdminError.notFound("The user does not exist.", { code: "inexistent_user" });
  const connection = await findConnectionById(deps.db, user.connectionId);
  if (!connection) throw AdminError.notFound("The user's connection does not exist.");
  const problem = await findPasswordProblem(deps, password, { connection, user, userId: user.id });
  if (problem) {
    throw AdminError.invalid(problem.message, {
      code: problem.code,
      fields: { password: problem.message },
      details: problem.policy,
    });
  }
  const hash = await deps.hasher.hash(password);
  const now = deps.clock.now();
  const identifiers = [user.email, user.username].filter((v): v is string => !!v).map(normalizeIdentifier);
  const { released, revoked } = await deps.db.transaction(async (q) => {
    await setPasswordHash(q, user.id, hash, now);
    await rememberPassword(q, deps, user.id, hash, now);
    const revoked = await revokeUserRefreshTokens(q, [user.id], now);
    const rows = await deleteLoginFailuresForIdentifiers(q, [...new Set(identifiers)], user.connectionId);
    await deleteNotificationClaims(q, [bruteForceNotificationKey(user.userId), `breached|${user.userId}`]);
    const n = await logReleasedBlocks(q, rows, "password_change", now, { user_id: user.userId });
    await recordAdminChange(q, now, admin, {
      action: "set user password",
      target: user.userId,
      before: { last_password_reset: user.lastPasswordReset?.toISOString() ?? null },
      after: { last_password_reset: now.toISOString(), released_blocks: n, revoked_refresh_tokens: revoked },
    });
    return { released: n, revoked };
  });
  return { user_id: user.userId, released_blocks: released, revoked_refresh_tokens: revoked };
}
