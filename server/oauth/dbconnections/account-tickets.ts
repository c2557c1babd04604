import { randomBytes, timingSafeEqual } from "node:crypto";
import type { TDeps } from "../../config/deps.ts";
import type { TSqlRunner } from "../../store/raw-sql.ts";
import { sha256Hex } from "../../crypto/digest.ts";
import {
  deleteExpiredAccountTickets,
  findAccountTicket,
  insertAccountTicket,
  type TAccountTicketKind,
  type TAccountTicketRecord,
} from "../../store/account-tickets.ts";

/** How long a mailed link works: Auth0's password-reset links are valid 5 days; verification links the same. */
export const ACCOUNT_TICKET_TTL_MS = 5 * 24 * 3600 * 1000;

/** The hosted page of each ticket kind. */
export const TICKET_PAGE_PATH: Record<TAccountTicketKind, string> = {
  reset_password: "/reset-password",
  verify_email: "/verify-email",
};

/** What an admin's ticket may add to a mailed one (Auth0's password-change ticket options). */
export type TTicketOptions = {
  /** Lifetime, at most ACCOUNT_TICKET_TTL_MS (the default). */
  ttlMs?: number;
  markEmailVerified?: boolean;
  resultUrl?: string | null;
};

/**
 * Create a single-use ticket for `userId` and return the link to mail (the token appears only in the link; the
 * store keeps its SHA-256). Runs on `q`, a transaction of the caller's when it has one.
 */
export async function issueAccountTicket(
  q: TSqlRunner,
  deps: TDeps,
  kind: TAccountTicketKind,
  userId: string,
  now: Date,
  options: TTicketOptions = {},
): Promise<{ token: string; link: string }> {
  const ttlMs = Math.min(options.ttlMs ?? ACCOUNT_TICKET_TTL_MS, ACCOUNT_TICKET_TTL_MS);
  const token = randomBytes(32).toString("base64url");
  await deleteExpiredAccountTickets(q, now);
  await insertAccountTicket(q, {
    tokenHash: sha256Hex(token),
    kind,
    userId,
    formToken: randomBytes(24).toString("base64url"),
    createdAt: now,
    expiresAt: new Date(now.getTime() + ttlMs),
    markEmailVerified: options.markEmailVerified ?? false,
    resultUrl: options.resultUrl ?? null,
  });
  const url = new URL(TICKET_PAGE_PATH[kind], deps.env.PUBLIC_URL);
  url.searchParams.set("ticket", token);
  return { token, link: url.toString() };
}

/** A ticket text as it may arrive (query or form): bounded and base64url, or nothing. */
function isTicketShape(token: unknown): token is string {
  return typeof token === "string" && /^[A-Za-z0-9_-]{20,100}$/.test(token);
}

/**
 * The live ticket of this kind for a presented token: unused and unexpired, else null. A read only, so opening the
 * link (mail scanners do) changes nothing.
 */
export async function findLiveTicket(
  deps: TDeps,
  token: unknown,
  kind: TAccountTicketKind,
): Promise<TAccountTicketRecord | null> {
  if (!isTicketShape(token)) return null;
  const t = await findAccountTicket(deps.db, sha256Hex(token), kind);
  if (!t || t.usedAt || t.expiresAt <= deps.clock.now()) return null;
  return t;
}

/** Whether a form's token is the one issued with the ticket (constant time). */
export function isFormTokenOf(ticket: TAccountTicketRecord, formToken: unknown): boolean {
  if (typeof formToken !== "string") return false;
  const a = Buffer.from(formToken);
  const b = Buffer.from(ticket.formToken);
  return a.length === b.length && timingSafeEqual(a, b);
}
