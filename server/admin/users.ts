import type { TDeps } from "../config/deps.ts";
import { findConnectionById, findConnectionByName, listConnections } from "../store/connections.ts";
import { searchLogs } from "../store/logs.ts";
import { findUserByUserId, searchUsers, setUserBlocked as setUserBlockedRow } from "../store/users.ts";
import { revokeUserRefreshTokens } from "../store/refresh-tokens.ts";
import { recordAdminChange } from "./audit.ts";
import { editableProfile } from "./update-user.ts";
import { AdminError } from "./admin-error.ts";
import { assertAdminAllowed } from "./admin-access.ts";
import type { TActor } from "./audit.ts";
import type { TAdmin } from "./session.ts";

/** Users screen: search by email, username or user id, optionally within one connection. */
export async function findUsers(deps: TDeps, admin: TActor, q: { text?: string; connection?: string }) {
  assertAdminAllowed(admin, "users:read");
  const connection = q.connection ? await findConnectionByName(deps.db, q.connection) : null;
  if (q.connection && !connection) return [];
  const users = await searchUsers(deps.db, { text: q.text, connectionId: connection?.id, take: 50 });
  return users.map((u) => ({
    user_id: u.userId,
    email: u.email,
    username: u.username,
    name: u.name,
    connection: u.connectionName,
    blocked: u.blocked,
    logins_count: u.loginsCount,
    last_login: u.lastLogin?.toISOString() ?? null,
  }));
}

/** Users screen: the matching users and the connections a new user can be created in. */
export async function getUsersScreen(deps: TDeps, admin: TActor, q: { text?: string; connection?: string }) {
  assertAdminAllowed(admin, "users:read");
  const [users, connections] = await Promise.all([findUsers(deps, admin, q), listConnections(deps.db)]);
  return { users, connections: connections.map((c) => c.name) };
}

/** One user's profile (no password hash) and recent logins. */
export async function getUserDetail(deps: TDeps, admin: TActor, userId: string) {
  assertAdminAllowed(admin, "users:read");
  const user = await findUserByUserId(deps.db, userId);
  if (!user) return null;
  const { passwordHash: _hash, id: _id, ...profile } = user;
  const [logins, connection] = await Promise.all([
    searchLogs(deps.db, { user: userId }, { take: 20 }),
    findConnectionById(deps.db, user.connectionId),
  ]);
  return {
    profile,
    editable: editableProfile(user),
    connection: connection?.name ?? null,
    hasPassword: user.passwordHash !== null,
    logins,
  };
}

/**
 * Set or lift the admin block on a user; logged with who did it. A block also revokes the user's refresh tokens in
 * the same transaction, so lifting it later does not bring the old sessions back.
 */
export async function setUserBlocked(
  deps: TDeps,
  admin: TAdmin,
  userId: string,
  blocked: boolean,
): Promise<void> {
  assertAdminAllowed(admin, "users:block");
  const now = deps.clock.now();
  await deps.db.transaction(async (q) => {
    const before = await setUserBlockedRow(q, userId, blocked, now);
    if (before === null) throw AdminError.notFound("No such user.");
    const revoked = blocked ? await revokeUserRefreshTokens(q, [before.id], now) : 0;
    await recordAdminChange(q, now, admin, {
      action: blocked ? "block user" : "unblock user",
      target: userId,
      before: { blocked: before.blocked },
      after: blocked ? { blocked, revoked_refresh_tokens: revoked } : { blocked },
    });
  });
}
