import type { TDeps } from "../../config/deps.ts";
import type { TLogEvent } from "../../audit/events.ts";
import type { TAccountTicketKind, TAccountTicketRecord } from "../../store/account-tickets.ts";
import { findUserById, type TUserRecord } from "../../store/users.ts";
import { readRequestMeta } from "../core/request.ts";
import { isSameOriginPost } from "./account-page-html.ts";
import { findLiveTicket, isFormTokenOf } from "./account-tickets.ts";
import { readPageForm } from "./read-page-form.ts";

/** What a hosted page's POST carries, read once for the reset and verify pages alike. */
export type TTicketPost = {
  now: Date;
  /** The request's fields of every audit record the POST writes. */
  base: Omit<TLogEvent, "type">;
  form: Record<string, string>;
  token: string;
  /** The live ticket the form names, and its user; null when the link is forged, used or expired. */
  ticket: TAccountTicketRecord | null;
  user: TUserRecord | null;
  /** The form token belongs to that ticket (the form came from the page the ticket showed). */
  isFormOfTicket: boolean;
};

/**
 * Read a hosted page's POST (`/reset-password`, `/verify-email`): a same-origin form under the byte cap, the live
 * ticket of `kind` it names and that ticket's user. Null when the form is cross-site or malformed (a 403 page).
 */
export async function readTicketPost(
  req: Request,
  deps: TDeps,
  kind: TAccountTicketKind,
): Promise<TTicketPost | null> {
  const meta = readRequestMeta(req);
  const now = deps.clock.now();
  const base: Omit<TLogEvent, "type"> = {
    ip: meta.clientIp,
    client_ip: meta.clientIp,
    user_agent: meta.userAgent,
    hostname: meta.hostname,
  };
  const form = await readPageForm(req);
  if (!isSameOriginPost(req, deps.env.PUBLIC_URL) || !form) return null;
  const token = form.ticket ?? "";
  const ticket = await findLiveTicket(deps, token, kind);
  const user = ticket ? await findUserById(deps.db, ticket.userId) : null;
  return {
    now,
    base,
    form,
    token,
    ticket,
    user,
    isFormOfTicket: !!ticket && isFormTokenOf(ticket, form.form_token),
  };
}
