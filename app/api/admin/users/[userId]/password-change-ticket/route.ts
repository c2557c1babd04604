import { withAdmin } from "@/server/admin/session";
import { readJsonObject, respond } from "@/server/admin/management-route";
import { createPasswordChangeTicket } from "@/server/admin/create-password-change-ticket";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The user id segment; one that is not valid percent-encoding names no user (404), never a 500. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * POST /api/admin/users/{user_id}/password-change-ticket: Auth0's password-change ticket for this user,
 * `{ ticket: "<reset link>" }` (shown once; a help desk passes it on).
 */
export const POST = withAdmin("users:write", (req, deps, admin, params) =>
  respond(async () =>
    createPasswordChangeTicket(deps, admin, decodeSegment(params.userId ?? ""), await readJsonObject(req)),
  ),
);
