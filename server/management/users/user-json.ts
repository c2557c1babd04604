import type { TUserRecord } from "../../store/users.ts";

/** What a user's JSON needs besides its row: whether MFA is enrolled (Auth0's `multifactor`). */
export type TUserJsonExtras = { hasMfa?: boolean };

/**
 * A user as Auth0's Management API returns it (`GetUsers200ResponseOneOfInner`): attributes the user does not have
 * are left out rather than sent as null (Auth0 omits them too), `blocked` appears only when true, `name` and
 * `nickname` fall back to the email (its local part) or username as in our ID tokens, and `identities` holds the
 * user's one database identity. Never the password hash or any internal id.
 */
export function userJson(
  user: TUserRecord,
  connectionName: string,
  extras: TUserJsonExtras = {},
): Record<string, unknown> {
  const bar = user.userId.indexOf("|");
  const provider = bar > 0 ? user.userId.slice(0, bar) : "auth0";
  const body: Record<string, unknown> = {
    user_id: user.userId,
    ...(user.email !== null ? { email: user.email, email_verified: user.emailVerified } : {}),
    ...(user.username !== null ? { username: user.username } : {}),
    ...(user.phoneNumber !== null
      ? { phone_number: user.phoneNumber, phone_verified: user.phoneVerified }
      : {}),
    name: user.name ?? user.email ?? user.username ?? user.userId,
    nickname: user.nickname ?? (user.email ? user.email.split("@")[0] : user.username) ?? user.userId,
    ...(user.givenName !== null ? { given_name: user.givenName } : {}),
    ...(user.familyName !== null ? { family_name: user.familyName } : {}),
    ...(user.picture !== null ? { picture: user.picture } : {}),
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
    identities: [
      {
        connection: connectionName,
        user_id: bar > 0 ? user.userId.slice(bar + 1) : user.userId,
        provider,
        isSocial: false,
      },
    ],
    ...(Object.keys(user.appMetadata).length > 0 ? { app_metadata: user.appMetadata } : {}),
    ...(Object.keys(user.userMetadata).length > 0 ? { user_metadata: user.userMetadata } : {}),
    ...(extras.hasMfa ? { multifactor: ["guardian"] } : {}),
    ...(user.lastIp !== null ? { last_ip: user.lastIp } : {}),
    ...(user.lastLogin !== null ? { last_login: user.lastLogin.toISOString() } : {}),
    ...(user.lastPasswordReset !== null ? { last_password_reset: user.lastPasswordReset.toISOString() } : {}),
    logins_count: user.loginsCount,
    ...(user.blocked ? { blocked: true } : {}),
  };
  return body;
}
