/**
 * Keys Auth0 refuses in a user's app_metadata (they clash with its own profile fields); the user import and the
 * dashboard's user editor both refuse them.
 */
export const RESERVED_APP_METADATA = [
  "clientID",
  "globalClientID",
  "global_client_id",
  "email_verified",
  "user_id",
  "identities",
  "lastIP",
  "lastLogin",
  "metadata",
  "created_at",
  "loginsCount",
  "_id",
];
