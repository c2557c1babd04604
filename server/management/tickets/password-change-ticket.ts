import type { TDeps } from "../../config/deps.ts";
import { assertAdminAllowed } from "../../admin/admin-access.ts";
import { createPasswordChangeTicket } from "../../admin/create-password-change-ticket.ts";
import { findConnectionByConnectionId } from "../../store/connections.ts";
import { findUserByIdentifier } from "../../store/users.ts";
import type { TManagementCaller } from "../authenticate-management.ts";
import { ManagementError } from "../management-error.ts";
import { created } from "../with-management.ts";
import { checkPayload, readPayload, type TPayloadProperty } from "../users/payload.ts";
import { inAuth0Terms } from "../users/user-errors.ts";
import { findManagedUser, userNotFound } from "../users/users.ts";

const TICKET_PROPERTIES = {
  user_id: { type: "string", min: 1, max: 512 },
  email: { type: "string", format: "email", max: 254 },
  connection_id: { type: "string", min: 1, max: 64 },
  result_url: { type: "string", format: "url", max: 2048 },
  ttl_sec: { type: "integer", min: 0, max: 432_000 },
  mark_email_as_verified: { type: "boolean" },
  includeEmailInRedirect: { type: "boolean" },
  client_id: { type: "string", min: 1, max: 64 },
} as const satisfies Record<string, TPayloadProperty>;

/**
 * POST /api/v2/tickets/password-change: a single-use password-reset link for the user named by `user_id`, or by
 * `email` + `connection_id`, through the dashboard's ticket use case (audited as the client, the link itself never
 * stored). Answers 201 `{ticket: "<url>"}` as Auth0 does.
 */
export async function createPasswordChangeTicketFor(deps: TDeps, caller: TManagementCaller, req: Request) {
  assertAdminAllowed(caller, "users:write");
  const body = await readPayload(req);
  checkPayload(body, TICKET_PROPERTIES);
  const { user_id: userId, email, connection_id: connectionId, client_id: _client, ...options } = body;
  let target: string;
  if (typeof userId === "string") {
    if (email !== undefined || connectionId !== undefined)
      throw ManagementError.invalidBody(
        "Payload validation error: 'user_id cannot be used together with email and connection_id'.",
      );
    target = (await findManagedUser(deps, userId)).userId;
  } else {
    if (typeof email !== "string")
      throw ManagementError.invalidBody(
        "Payload validation error: 'Missing required property: user_id (or email and connection_id)'.",
      );
    if (typeof connectionId !== "string")
      throw ManagementError.invalidBody(
        "Payload validation error: 'Missing required property: connection_id'.",
      );
    const connection = await findConnectionByConnectionId(deps.db, connectionId);
    if (!connection)
      throw ManagementError.notFound("The connection does not exist.", "inexistent_connection");
    const user = await findUserByIdentifier(deps.db, connection.id, email);
    if (!user || user.email !== email.toLowerCase()) throw userNotFound();
    target = user.userId;
  }
  const ticket = await inAuth0Terms(() => createPasswordChangeTicket(deps, caller, target, options));
  return created(ticket);
}
