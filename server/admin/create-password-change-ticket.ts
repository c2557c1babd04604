import { z } from "zod";
import type { TDeps } from "../config/deps.ts";
import { findUserByUserId } from "../store/users.ts";
import { isUnstorable } from "../oauth/core/request.ts";
import { ACCOUNT_TICKET_TTL_MS, issueAccountTicket } from "../oauth/dbconnections/account-tickets.ts";
import { AdminError } from "./admin-error.ts";
import { recordAdminChange, type TActor } from "./audit.ts";
import { assertAdminAllowed } from "./admin-access.ts";
import { parseAdminInput } from "./parse-admin-input.ts";

const MAX_TTL_SEC = ACCOUNT_TICKET_TTL_MS / 1000;

/**
 * The body of Auth0's POST /api/v2/tickets/password-change for one user (the user is the path's). `email` +
 * `connection_id`, `client_id` and `organization_id` are not taken: the ticket is for the user on the screen and
 * its page is this server's own. `includeEmailInRedirect: true` is refused rather than ignored (not supported).
 */
export const ZPasswordChangeTicketInput = z.strictObject({
  user_id: z.string().optional(),
  result_url: z
    .string()
    .max(2048)
    .refine((v) => {
      try {
        const u = new URL(v);
        return (u.protocol === "https:" || u.protocol === "http:") && !u.username && !u.password;
      } catch {
        return false;
      }
    }, "must be an absolute http(s) URL without credentials")
    .optional(),
  /** Seconds the link works; 0 or absent means the default (5 days, also the most). */
  ttl_sec: z.number().int().min(0).max(MAX_TTL_SEC).optional(),
  mark_email_as_verified: z.boolean().optional(),
  includeEmailInRedirect: z.literal(false, "true is not supported").optional(),
});
export type TPasswordChangeTicketInput = z.infer<typeof ZPasswordChangeTicketInput>;

/**
 * Issue a password-reset link for a user on an admin's request (Auth0's password-change ticket), for a help desk to
 * pass on: the same single-use ticket the reset mail carries (a successful reset retires the user's other reset
 * links), valid `ttl_sec` (at most 5 days), optionally verifying the email on success and sending the user to
 * `result_url`. Answers `{ ticket: "<url>" }` once; the link is never stored or audited (`sapi` records the options
 * and the expiry only).
 */
export async function createPasswordChangeTicket(
  deps: TDeps,
  admin: TActor,
  userId: string,
  body: unknown,
): Promise<{ ticket: string }> {
  assertAdminAllowed(admin, "users:write");
  const input = parseAdminInput(ZPasswordChangeTicketInput, body);
  if (input.user_id !== undefined && input.user_id !== userId)
    throw AdminError.invalid("user_id must be the user of the path.", { fields: { user_id: "mismatch" } });
  const user = isUnstorable(userId) ? null : await findUserByUserId(deps.db, userId);
  if (!user) throw AdminError.notFound("The user does not exist.", { code: "inexistent_user" });
  const now = deps.clock.now();
  const ttlMs = input.ttl_sec ? input.ttl_sec * 1000 : ACCOUNT_TICKET_TTL_MS;
  const options = {
    ttlMs,
    markEmailVerified: input.mark_email_as_verified ?? false,
    resultUrl: input.result_url ?? null,
  };
  return deps.db.transaction(async (tx) => {
    const { link } = await issueAccountTicket(tx, deps, "reset_password", user.id, now, options);
    await recordAdminChange(tx, now, admin, {
      action: "create password change ticket",
      target: user.userId,
      after: {
        expires_at: new Date(now.getTime() + ttlMs).toISOString(),
        mark_email_as_verified: options.markEmailVerified,
        result_url: options.resultUrl,
      },
    });
    return { ticket: link };
  });
}
