import type { TDeps } from "../config/deps.ts";
import { deleteUserRow, findUserByUserId } from "../store/users.ts";
import { deleteUserRefreshTokens } from "../store/refresh-tokens.ts";
import { deleteUserAuthenticators } from "../store/mfa-authenticators.ts";
import { deleteLoginFailuresForIdentifiers } from "../store/login-failures.ts";
import { deleteNotificationClaims } from "../store/notification-claims.ts";
import { findConnectionById } from "../store/connections.ts";
import { insertLog } from "../store/logs.ts";
import { deleteSendLimits } from "../store/send-limits.ts";
import { normalizeIdentifier } from "../protection/brute-force.ts";
import { bruteForceNotificationKey } from "../protection/notification-mails.ts";
import { AdminError } from "./admin-error.ts";
import { auditActor, recordAdminChange, type TActor } from "./audit.ts";
import { assertAdminAllowed } from "./admin-access.ts";

export type TDeletedUser = {
  user_id: string;
  revoked_refresh_tokens: number;
  removed_authenticators: number;
  released_blocks: number;
};

/**
 * Delete a user (Auth0's DELETE /api/v2/users/{id}) with everything kept for them: refresh tokens (so the sessions
 * end), MFA authenticators and their wrong-code bucket, brute-force counters and blocks of their email and username
 * in their connection, the notification claims and mail limits keyed by them, their unused reset and verification
 * links (which then open as invalid) and their password history. Audit records stay: they are the history
 * (Auth0 keeps them too). One transaction writes the deletion, Auth0's `sdu` record and the admin change (`sapi`),
 * so the email and username are free to be used again as soon as it commits.
 */
export async function deleteUser(deps: TDeps, admin: TActor, userId: string): Promise<TDeletedUser> {
  assertAdminAllowed(admin, "users:write");
  const user = await findUserByUserId(deps.db, userId);
  if (!user) throw AdminError.notFound("The user does not exist.", { code: "inexistent_user" });
  const now = deps.clock.now();
  const identifiers = [user.email, user.username].filter((v): v is string => !!v).map(normalizeIdentifier);
  return deps.db.transaction(async (tx) => {
    const connection = await findConnectionById(tx, user.connectionId);
    const revoked = await deleteUserRefreshTokens(tx, user.id);
    const removed = await deleteUserAuthenticators(tx, user.id);
    const released = await deleteLoginFailuresForIdentifiers(
      tx,
      [...new Set(identifiers)],
      user.connectionId,
    );
    await deleteNotificationClaims(tx, [bruteForceNotificationKey(user.userId), `breached|${user.userId}`]);
    // The reset-mail bucket of /dbconnections/change_password (keyed by internal id, so never a new user's).
    await deleteSendLimits(tx, [`reset_user|${user.id}`]);
    // Account tickets (reset and verification links) and the password history go with the row (ON DELETE CASCADE).
    // Gone in between (a second admin deleting at the same time): nothing of ours was changed, nothing to record.
    if (!(await deleteUserRow(tx, user.id)))
      throw AdminError.notFound("The user does not exist.", { code: "inexistent_user" });
    const result: TDeletedUser = {
      user_id: user.userId,
      revoked_refresh_tokens: revoked,
      removed_authenticators: removed,
      released_blocks: released.length,
    };
    await insertLog(
      tx,
      {
        type: "sdu",
        description: "",
        user_id: user.userId,
        user_name: user.email ?? user.username ?? undefined,
        connection: connection?.name,
        connection_id: connection?.connectionId,
        strategy: connection?.strategy,
        details: { actor: auditActor(admin) },
      },
      now,
    );
    await recordAdminChange(tx, now, admin, {
      action: "delete user",
      target: user.userId,
      before: { email: user.email, username: user.username, connection: connection?.name ?? null },
      after: { deleted: true, ...result },
    });
    return result;
  });
}
