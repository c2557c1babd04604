import type { TDeps } from "../../config/deps.ts";
import { findUserById, updateUserProfile } from "../../store/users.ts";
import { consumeAccountTicket } from "../../store/account-tickets.ts";
import { insertLog } from "../../store/logs.ts";
import { sha256Hex } from "../../crypto/digest.ts";
import { accountPage, escapeHtml } from "./account-page-html.ts";
import { findLiveTicket } from "./account-tickets.ts";
import { readTicketPost } from "./read-ticket-post.ts";

export const INVALID_VERIFY_LINK = "This link is not valid";
const INVALID_TEXT = "It was already used, or it has expired.";

function invalidPage(status = 400): Response {
  return accountPage(status, INVALID_VERIFY_LINK, `<p>${escapeHtml(INVALID_TEXT)}</p>`);
}

/** GET /verify-email?ticket=…: a button for a live ticket; opening the link (mail scanners) verifies nothing. */
export async function showVerifyEmailPage(req: Request, deps: TDeps): Promise<Response> {
  const token = new URL(req.url).searchParams.get("ticket");
  const ticket = await findLiveTicket(deps, token, "verify_email");
  const user = ticket ? await findUserById(deps.db, ticket.userId) : null;
  if (!ticket || !user || !token) return invalidPage();
  return accountPage(
    200,
    "Verify your email",
    `<p>Confirm that <strong>${escapeHtml(user.email ?? "")}</strong> is your email address.</p>
<form method="post" action="/verify-email">
<input type="hidden" name="ticket" value="${escapeHtml(token)}">
<input type="hidden" name="form_token" value="${escapeHtml(ticket.formToken)}">
<button type="submit">Verify my email</button>
</form>
<p class="muted">This link works once, until ${escapeHtml(ticket.expiresAt.toUTCString())}.</p>`,
  );
}

/** POST /verify-email (the button): use the ticket up and set `email_verified`, logged `sv`; else `fv`. */
export async function submitVerifyEmailPage(req: Request, deps: TDeps): Promise<Response> {
  const post = await readTicketPost(req, deps, "verify_email");
  if (!post) return invalidPage(403);
  const { now, base, token, ticket, user } = post;
  const done =
    !!ticket &&
    !!user &&
    post.isFormOfTicket &&
    (await deps.db.transaction(async (q) => {
      if (!(await consumeAccountTicket(q, sha256Hex(token), "verify_email", now))) return false;
      await updateUserProfile(q, user.id, { emailVerified: true }, now);
      await insertLog(
        q,
        {
          ...base,
          type: "sv",
          description: "Email verified",
          user_id: user.userId,
          user_name: user.email ?? undefined,
        },
        now,
      );
      return true;
    }));
  if (!done) {
    await insertLog(
      deps.db,
      {
        ...base,
        type: "fv",
        description: "Invalid, used or expired verification link",
        ...(user ? { user_id: user.userId } : {}),
      },
      now,
    );
    return invalidPage();
  }
  return accountPage(200, "Email verified", "<p>Thank you: your email address is verified.</p>");
}
