import type { TDeps } from "../../config/deps.ts";
import { assertAdminAllowed } from "../../admin/admin-access.ts";
import { createUser } from "../../admin/create-user.ts";
import { issueAccountTicket } from "../../oauth/dbconnections/account-tickets.ts";
import { sendVerificationMail } from "../../oauth/dbconnections/account-mails.ts";
import { findConnectionByName } from "../../store/connections.ts";
import { findUserByUserId } from "../../store/users.ts";
import type { TManagementCaller } from "../authenticate-management.ts";
import { ManagementError } from "../management-error.ts";
import { created } from "../with-management.ts";
import { checkMetadataSize, checkPayload, readPayload, type TPayloadProperty } from "./payload.ts";
import { inAuth0Terms } from "./user-errors.ts";
import { managedUserJson } from "./users.ts";

/** Profile properties POST and PATCH share (Auth0's names and limits). */
export const PROFILE_PROPERTIES = {
  email: { type: "string", format: "email", max: 254 },
  email_verified: { type: "boolean" },
  username: { type: "string", min: 1, max: 128 },
  given_name: { type: "string", min: 1, max: 150 },
  family_name: { type: "string", min: 1, max: 150 },
  name: { type: "string", min: 1, max: 300 },
  nickname: { type: "string", min: 1, max: 300 },
  picture: { type: "string", format: "url", max: 2048 },
  user_metadata: { type: "object" },
  app_metadata: { type: "object" },
  blocked: { type: "boolean" },
  password: { type: "string", min: 1, max: 1024 },
  connection: { type: "string", min: 1, max: 128 },
  verify_email: { type: "boolean" },
} as const satisfies Record<string, TPayloadProperty>;

const CREATE_PROPERTIES = {
  ...PROFILE_PROPERTIES,
  user_id: { type: "string", min: 1, max: 64 },
} as const satisfies Record<string, TPayloadProperty>;

/**
 * POST /api/v2/users: a user in a database connection, through the dashboard's "create user" (the connection's
 * password policy and the breached-password check apply, audited as the client). As on Auth0, a verification mail
 * goes out unless the email is created verified or `verify_email` is false. Answers 201 with the user.
 */
export async function createManagedUser(deps: TDeps, caller: TManagementCaller, req: Request) {
  assertAdminAllowed(caller, "users:write");
  const body = await readPayload(req);
  checkPayload(body, CREATE_PROPERTIES, ["connection"]);
  const connection = await findConnectionByName(deps.db, body.connection as string);
  if (!connection) throw new ManagementError(400, "The connection does not exist.", "inexistent_connection");
  if (body.email === undefined && body.username === undefined)
    throw ManagementError.invalidBody("Payload validation error: 'Missing required property: email'.");
  if (body.password === undefined)
    throw ManagementError.invalidBody("Payload validation error: 'Missing required property: password'.");
  for (const doc of ["user_metadata", "app_metadata"] as const)
    if (body[doc]) checkMetadataSize(doc, body[doc] as Record<string, unknown>);
  const { verify_email: verifyEmail, ...input } = body;
  const { user_id: userId } = await inAuth0Terms(() => createUser(deps, caller, input));
  const user = await findUserByUserId(deps.db, userId);
  if (!user) throw ManagementError.notFound("The user does not exist.", "inexistent_user");
  if (user.email && (verifyEmail === true || (verifyEmail === undefined && !user.emailVerified))) {
    const ticket = await issueAccountTicket(deps.db, deps, "verify_email", user.id, deps.clock.now());
    await sendVerificationMail(deps, user, ticket.link, ticket.token);
  }
  return created(await managedUserJson(deps, user));
}
