import type { TDeps } from "../../config/deps.ts";
import { findUserById, updateUserProfile, type TUserRecord } from "../../store/users.ts";
import { findConnectionById } from "../../store/connections.ts";
import {
  consumeAccountTicket,
  retireAccountTickets,
  type TAccountTicketRecord,
} from "../../store/account-tickets.ts";
import { setPasswordHash } from "../../store/user-passwords.ts";
import { revokeUserRefreshTokens } from "../../store/refresh-tokens.ts";
import { deleteLoginFailuresForIdentifiers } from "../../store/login-failures.ts";
import { deleteNotificationClaims } from "../../store/notification-claims.ts";
import { insertLog } from "../../store/logs.ts";
import { sha256Hex } from "../../crypto/digest.ts";
import { isUnstorable } from "../core/request.ts";
import { normalizeIdentifier } from "../../protection/brute-force.ts";
import { bruteForceNotificationKey } from "../../protection/notification-mails.ts";
import { logReleasedBlocks } from "../../protection/release-blocks.ts";
import { accountPage, escapeHtml } from "./account-page-html.ts";
import { findLiveTicket } from "./account-tickets.ts";
import { readTicketPost } from "./read-ticket-post.ts";
import { checkNewPasswordBreach } from "./check-new-password-breach.ts";
import { findNewPasswordError } from "./new-password.ts";
import {
  explainPasswordFailure,
  rememberPassword,
  type TPasswordPolicyFailure,
} from "../../auth/password-policy.ts";

export const INVALID_RESET_LINK = "This link is not valid";
const INVALID_TEXT =
  "It was already used, or it has expired, or a newer link replaced it. Ask for a new password reset from the app.";
const MAX_PASSWORD_LENGTH = 1024;

function invalidPage(status = 400): Response {
  return accountPage(status, INVALID_RESET_LINK, `<p>${escapeHtml(INVALID_TEXT)}</p>`);
}

function formPage(
  ticketToken: string,
  ticket: TAccountTicketRecord,
  user: TUserRecord,
  error?: string,
): Response {
  const errorHtml = error ? `<p class="error" role="alert" id="reset-error">${escapeHtml(error)}</p>` : "";
  const describedBy = error ? ` aria-describedby="reset-error"` : "";
  return accountPage(
    error ? 400 : 200,
    "Change your password",
    `<p class="muted">For ${escapeHtml(user.email ?? user.username ?? "your account")}.</p>${errorHtml}
<form method="post" action="/reset-password">
<input type="hidden" name="ticket" value="${escapeHtml(ticketToken)}">
<input type="hidden" name="form_token" value="${escapeHtml(ticket.formToken)}">
<input type="text" name="username" value="${escapeHtml(user.email ?? user.username ?? "")}" autocomplete="username" hidden>
<label for="password">New password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required${describedBy}>
<label for="password_confirm">Confirm new password</label>
<input id="password_confirm" name="password_confirm" type="password" autocomplete="new-password" required>
<button type="submit">Change password</button>
</form>
<p class="muted">This link works once, until ${escapeHtml(ticket.expiresAt.toUTCString())}.</p>`,
  );
}

/**
 * After a reset through an admin ticket with `result_url`: 303 there with Auth0's `success` and `message` (a URL the
 * admin set, checked to be http(s) when the ticket was made).
 */
function redirectToResult(resultUrl: string): Response {
  const url = new URL(resultUrl);
  url.searchParams.set("success", "true");
  url.searchParams.set("message", "You can now login to the application with the new password.");
  return new Response(null, {
    status: 303,
    headers: { location: url.toString(), "cache-control": "no-store" },
  });
}

/**
 * GET /reset-password?ticket=…: the form for a live ticket. Opening the link changes nothing (mail scanners fetch
 * links); only the form's POST does.
 */
export async function showResetPasswordPage(req: Request, deps: TDeps): Promise<Response> {
  const token = new URL(req.url).searchParams.get("ticket");
  const ticket = await findLiveTicket(deps, token, "reset_password");
  const user = ticket ? await findUserById(deps.db, ticket.userId) : null;
  if (!ticket || !user || !token) return invalidPage();
  return formPage(token, ticket, user);
}

/**
 * POST /reset-password (the form): check the form token bound to the ticket (and refuse a cross-site Origin), the
 * new password against the policy, then in one transaction use the ticket up, set the password (clearing the
 * breached flag), revoke the user's refresh tokens, lift their brute-force blocks (`ublkdu`), retire their other
 * reset links and log `scp`. A refused new password leaves the ticket usable and logs `fcp`.
 */
export async function submitResetPasswordPage(req: Request, deps: TDeps): Promise<Response> {
  const post = await readTicketPost(req, deps, "reset_password");
  if (!post) return invalidPage(403);
  const { now, base, form, token, ticket, user } = post;
  if (!ticket || !user || !post.isFormOfTicket) {
    await insertLog(
      deps.db,
      {
        ...base,
        type: "fcp",
        description: "Invalid, used or expired reset link",
        ...(user ? { user_id: user.userId } : {}),
      },
      now,
    );
    return invalidPage();
  }
  const userBase = { ...base, user_id: user.userId, user_name: user.email ?? user.username ?? undefined };
  const password = form.password ?? "";
  const refuse = async (message: string, description = message) => {
    await insertLog(deps.db, { ...userBase, type: "fcp", description }, now);
    return formPage(token, ticket, user, message);
  };
  if (password !== (form.password_confirm ?? "")) return refuse("The passwords do not match.");
  if (password.length > MAX_PASSWORD_LENGTH || isUnstorable(password))
    return refuse("Choose another password.");
  const connection = await findConnectionById(deps.db, user.connectionId);
  if (!connection) return invalidPage();
  const weak = await findNewPasswordError(deps, { connection, password, user, userId: user.id });
  if (weak) {
    return refuse(explainPasswordFailure(weak.body as TPasswordPolicyFailure), weak.logDescription);
  }
  const breach = await checkNewPasswordBreach(deps, "reset", password, {
    who: `${user.email ?? user.username ?? user.userId} (${user.userId})`,
    ip: base.ip,
    now,
  });
  if (breach.kind === "flagged") {
    await insertLog(
      deps.db,
      {
        ...userBase,
        type: "reset_pwd_leak",
        description: "Reset with a password that appears in a breached-password list (not blocked)",
        details: { blocked: false },
      },
      now,
    );
  }
  if (breach.kind === "blocked") {
    await insertLog(
      deps.db,
      {
        ...userBase,
        type: "reset_pwd_leak",
        description: "Reset refused: the new password appears in a breached-password list",
      },
      now,
    );
    return formPage(
      token,
      ticket,
      user,
      "This password appeared in a data breach of another service. Choose another one.",
    );
  }
  const hash = await deps.hasher.hash(password);
  const identifiers = [
    ...new Set([user.email, user.username].filter((v): v is string => !!v).map(normalizeIdentifier)),
  ];
  const done = await deps.db.transaction(async (q) => {
    if (!(await consumeAccountTicket(q, sha256Hex(token), "reset_password", now))) return false;
    await setPasswordHash(q, user.id, hash, now);
    await rememberPassword(q, deps, user.id, hash, now);
    // An admin's ticket may vouch for the address: whoever used the link reads that mailbox (or the help desk's).
    if (ticket.markEmailVerified && !user.emailVerified)
      await updateUserProfile(q, user.id, { emailVerified: true }, now);
    const revoked = await revokeUserRefreshTokens(q, [user.id], now);
    const rows = await deleteLoginFailuresForIdentifiers(q, identifiers, user.connectionId);
    await deleteNotificationClaims(q, [bruteForceNotificationKey(user.userId), `breached|${user.userId}`]);
    const released = await logReleasedBlocks(q, rows, "password_change", now, {
      user_id: user.userId,
      connection_id: connection.connectionId,
    });
    await retireAccountTickets(q, user.id, "reset_password", now);
    await insertLog(
      q,
      {
        ...userBase,
        type: "scp",
        description: "Password changed through the reset link",
        connection: connection.name,
        connection_id: connection.connectionId,
        details: { revoked_refresh_tokens: revoked, released_blocks: released },
      },
      now,
    );
    return true;
  });
  if (!done) return invalidPage();
  if (ticket.resultUrl) return redirectToResult(ticket.resultUrl);
  return accountPage(
    200,
    "Password changed",
    "<p>Your password was changed. You can log in with the new one.</p>",
  );
}
