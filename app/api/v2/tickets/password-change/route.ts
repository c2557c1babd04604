import { withManagement } from "@/server/management/with-management";
import { createPasswordChangeTicketFor } from "@/server/management/tickets/password-change-ticket";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** POST /api/v2/tickets/password-change (create:user_tickets): 201 {ticket}. */
export const POST = withManagement(["create:user_tickets"], (req, deps, caller) =>
  createPasswordChangeTicketFor(deps, caller, req),
);
