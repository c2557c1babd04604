import type { TDeps } from "../../config/deps.ts";
import { assertAdminAllowed } from "../../admin/admin-access.ts";
import { deleteUser } from "../../admin/delete-user.ts";
import { resetUserMfa } from "../../admin/mfa.ts";
import { findConnectionById } from "../../store/connections.ts";
import { hasActiveAuthenticator } from "../../store/mfa-authenticators.ts";
import { findUserByUserId, findUsersByEmail, type TUserRecord } from "../../store/users.ts";
import type { TManagementCaller } from "../authenticate-management.ts";
import { ManagementError } from "../management-error.ts";
import { readFieldSelection, readText } from "../query-params.ts";
import { userJson } from "./user-json.ts";

/** Auth0's 404 for a user id that names no user. */
export function userNotFound(): ManagementError {
  return ManagementError.notFound("The user does not exist.", "inexistent_user");
}

/** The user a path's `{id}` names, or Auth0's 404. */
export async function findManagedUser(deps: TDeps, userId: string): Promise<TUserRecord> {
  const user = userId.length > 512 ? null : await findUserByUserId(deps.db, userId);
  if (!user) throw userNotFound();
  return user;
}

/** A stored user as the Management API shows it (its connection's name, whether MFA is enrolled). */
export async function managedUserJson(deps: TDeps, user: TUserRecord): Promise<Record<string, unknown>> {
  const [connection, hasMfa] = await Promise.all([
    findConnectionById(deps.db, user.connectionId),
    hasActiveAuthenticator(deps.db, user.id),
  ]);
  return userJson(user, connection?.name ?? user.connectionId, { hasMfa });
}

/** GET /api/v2/users/{id}: one user, with `fields`/`include_fields`. */
export async function getManagedUser(deps: TDeps, caller: TManagementCaller, userId: string, url: URL) {
  assertAdminAllowed(caller, "users:read");
  const pick = readFieldSelection(url);
  return pick(await managedUserJson(deps, await findManagedUser(deps, userId)));
}

/** GET /api/v2/users-by-email?email=…: the users with that email (any case) across connections. */
export async function listUsersByEmail(deps: TDeps, caller: TManagementCaller, url: URL) {
  assertAdminAllowed(caller, "users:read");
  const pick = readFieldSelection(url);
  const email = readText(url, "email", 512);
  if (!email)
    throw ManagementError.invalidQuery("Query validation error: 'Missing required property: email'.");
  const users = await findUsersByEmail(deps.db, email.trim());
  return Promise.all(users.map(async (u) => pick(await managedUserJson(deps, u))));
}

/** DELETE /api/v2/users/{id}: the dashboard's deletion (tokens, MFA, blocks go too), audited as the client. */
export async function deleteManagedUser(deps: TDeps, caller: TManagementCaller, userId: string) {
  await findManagedUser(deps, userId);
  await deleteUser(deps, caller, userId);
}

/** DELETE /api/v2/users/{id}/authenticators: the dashboard's MFA reset (every authenticator removed), audited. */
export async function deleteUserAuthenticators(deps: TDeps, caller: TManagementCaller, userId: string) {
  await findManagedUser(deps, userId);
  await resetUserMfa(deps, caller, userId);
}
