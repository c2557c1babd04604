import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { TDeps } from "../config/deps.ts";
import { findConnectionByName } from "../store/connections.ts";
import { findUserByUserId, insertUser } from "../store/users.ts";
import { rememberPassword } from "../auth/password-policy.ts";
import { recordAdminChange } from "./audit.ts";
import { findPasswordProblem } from "./find-password-problem.ts";
import { parseAdminInput } from "./parse-admin-input.ts";
import { AdminError } from "./admin-error.ts";
import { assertAdminAllowed } from "./admin-access.ts";
import type { TAdmin } from "./session.ts";
import { userConflict, ZUserProfile } from "./update-user.ts";

/**
 * What the "Create user" form sends (Auth0's POST /users field names); the Management API may also choose the id's
 * part after `auth0|` and create the user blocked.
 */
export const ZNewUser = ZUserProfile.partial().extend({
  connection: z.string().min(1, "choose a connection"),
  password: z.string(),
  user_id: z
    .string()
    .regex(/^[A-Za-z0-9_.@+-]{1,64}$/, "must be 1 to 64 letters, digits or _.@+-")
    .optional(),
  blocked: z.boolean().optional(),
});

/**
 * Create a user in a database connection with an admin-chosen password: the connection's password policy and the
 * breached-password check, as an admin password reset; the password starts the user's history. Audited (the password and its hash never are).
 */
export async function createUser(deps: TDeps, admin: TAdmin, body: unknown): Promise<{ user_id: string }> {
  assertAdminAllowed(admin, "users:write");
  const input = parseAdminInput(ZNewUser, body);
  const connection = await findConnectionByName(deps.db, input.connection);
  if (!connection) {
    throw AdminError.invalid("No such connection.", { fields: { connection: "No such connection." } });
  }
  if (!input.email && !input.username) {
    const message = "Give an email or a username.";
    throw AdminError.invalid(message, { fields: { email: message } });
  }
  const owner = {
    email: input.email,
    username: input.username,
    name: input.name,
    nickname: input.nickname,
    givenName: input.given_name,
    familyName: input.family_name,
  };
  const problem = await findPasswordProblem(deps, input.password, { connection, user: owner });
  if (problem) {
    throw AdminError.invalid(problem.message, {
      code: problem.code,
      fields: { password: problem.message },
      details: problem.policy,
    });
  }
  const passwordHash = await deps.hasher.hash(input.password);
  const userId = `auth0|${input.user_id ?? randomBytes(12).toString("hex")}`;
  const { password: _p, connection: _c, ...profile } = input;
  const now = deps.clock.now();
  try {
    await deps.db.transaction(async (q) => {
      await insertUser(
        q,
        {
          userId,
          connectionId: connection.id,
          email: input.email ?? null,
          emailVerified: input.email_verified ?? false,
          username: input.username ?? null,
          name: input.name ?? null,
          nickname: input.nickname ?? null,
          givenName: input.given_name ?? null,
          familyName: input.family_name ?? null,
          picture: input.picture ?? null,
          passwordHash,
          blocked: input.blocked ?? false,
          userMetadata: input.user_metadata ?? {},
          appMetadata: input.app_metadata ?? {},
        },
        now,
      );
      const created = await findUserByUserId(q, userId);
      if (created) await rememberPassword(q, deps, created.id, passwordHash, now);
      await recordAdminChange(q, now, admin, {
        action: "create user",
        target: userId,
        after: { ...profile, connection: connection.name, user_id: userId },
      });
    });
  } catch (err) {
    userConflict(err);
  }
  return { user_id: userId };
}
