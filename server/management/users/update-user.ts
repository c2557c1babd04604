import type { TDeps } from "../../config/deps.ts";
import { assertAdminAllowed } from "../../admin/admin-access.ts";
import { updateUser } from "../../admin/update-user.ts";
import { setUserPassword } from "../../admin/set-user-password.ts";
import { setUserBlocked } from "../../admin/users.ts";
import { issueAccountTicket } from "../../oauth/dbconnections/account-tickets.ts";
import { sendVerificationMail } from "../../oauth/dbconnections/account-mails.ts";
import { findConnectionById } from "../../store/connections.ts";
import type { TManagementCaller } from "../authenticate-management.ts";
import { ManagementError } from "../management-error.ts";
import { checkMetadataSize, checkPayload, readPayload, type TPayloadProperty } from "./payload.ts";
import { PROFILE_PROPERTIES } from "./create-user.ts";
import { inAuth0Terms } from "./user-errors.ts";
import { findManagedUser, managedUserJson } from "./users.ts";

const PATCH_PROPERTIES = {
  ...PROFILE_PROPERTIES,
  // Auth0 unsets these with null.
  given_name: { ...PROFILE_PROPERTIES.given_name, nullable: true },
  family_name: { ...PROFILE_PROPERTIES.family_name, nullable: true },
  name: { ...PROFILE_PROPERTIES.name, nullable: true },
  nickname: { ...PROFILE_PROPERTIES.nickname, nullable: true },
  picture: { ...PROFILE_PROPERTIES.picture, nullable: true },
  user_metadata: { type: "object", nullable: true },
  app_metadata: { type: "object", nullable: true },
  // Which application's email templates to use; this server has one set, so it is taken and unused.
  client_id: { type: "string", min: 1, max: 64 },
} as const satisfies Record<string, TPayloadProperty>;

/** What a token holding only `update:users_app_metadata` may change. */
const METADATA_ONLY = new Set(["app_metadata", "user_metadata"]);
/** Properties that select rather than change (they travel with any other). */
const SELECTORS = new Set(["connection", "client_id", "verify_email"]);
const PROFILE_KEYS = [
  "email",
  "email_verified",
  "username",
  "given_name",
  "family_name",
  "name",
  "nickname",
  "picture",
  "user_metadata",
  "app_metadata",
] as const;

/**
 * Auth0's metadata update: top-level keys merge into the stored document, a key set to null is removed, nested
 * objects are replaced whole; `{}` or null as the whole document empties it.
 */
export function mergeMetadata(
  current: Record<string, unknown>,
  patch: Record<string, unknown> | null,
): Record<string, unknown> {
  if (patch === null || Object.keys(patch).length === 0) return {};
  const merged = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete merged[k];
    else merged[k] = v;
  }
  return merged;
}

/**
 * PATCH /api/v2/users/{id} with Auth0's semantics, through the dashboard's use cases (each audited as the client):
 * profile fields replace, metadata merges (see {@link mergeMetadata}), a changed email is unverified unless
 * `email_verified` says otherwise, `blocked` is the admin block (ended by `false`; brute-force blocks are the
 * user-blocks API's), and `password` (on its own, with at most `connection`) is an admin password reset: the
 * connection's policy applies, refresh tokens are revoked and brute-force blocks end. `update:users_app_metadata`
 * alone allows only the metadata. Answers the user as it now is.
 */
export async function updateManagedUser(
  deps: TDeps,
  caller: TManagementCaller,
  userId: string,
  req: Request,
) {
  assertAdminAllowed(caller, "users:write");
  const body = await readPayload(req);
  checkPayload(body, PATCH_PROPERTIES);
  const keys = Object.keys(body);
  if (!caller.client.scopes.includes("update:users") && keys.some((k) => !METADATA_ONLY.has(k)))
    throw ManagementError.insufficientScope(["update:users"]);
  const user = await findManagedUser(deps, userId);
  if (body.connection !== undefined) {
    const connection = await findConnectionById(deps.db, user.connectionId);
    if (connection?.name !== body.connection)
      throw ManagementError.invalidBody(
        `Payload validation error: 'The user has no identity in connection ${String(body.connection).slice(0, 128)}' on property connection.`,
      );
  }
  const changing = keys.filter((k) => !SELECTORS.has(k));
  if (body.password !== undefined && changing.length > 1)
    throw ManagementError.invalidBody(
      `Payload validation error: 'password must be updated on its own, not with ${changing
        .filter((k) => k !== "password")
        .join(",")}'.`,
    );

  const profile: Record<string, unknown> = {};
  for (const k of PROFILE_KEYS) if (body[k] !== undefined) profile[k] = body[k];
  for (const doc of ["user_metadata", "app_metadata"] as const) {
    if (body[doc] === undefined) continue;
    const stored = doc === "user_metadata" ? user.userMetadata : user.appMetadata;
    profile[doc] = mergeMetadata(stored, body[doc] as Record<string, unknown> | null);
    checkMetadataSize(doc, profile[doc] as Record<string, unknown>);
  }
  const emailChanges = typeof body.email === "string" && body.email.toLowerCase() !== user.email;
  if (emailChanges && body.email_verified === undefined) profile.email_verified = false;
  if (Object.keys(profile).length > 0)
    await inAuth0Terms(() => updateUser(deps, caller, user.userId, profile));
  if (body.blocked !== undefined && body.blocked !== user.blocked)
    await setUserBlocked(deps, caller, user.userId, body.blocked as boolean);
  if (body.password !== undefined)
    await inAuth0Terms(() => setUserPassword(deps, caller, user.userId, body.password));

  const after = await findManagedUser(deps, user.userId);
  if (body.verify_email === true && after.email && !after.emailVerified) {
    const ticket = await issueAccountTicket(deps.db, deps, "verify_email", after.id, deps.clock.now());
    await sendVerificationMail(deps, after, ticket.link, ticket.token);
  }
  return managedUserJson(deps, after);
}
