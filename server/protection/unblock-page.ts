import { accountPage, escapeHtml } from "../platform/hosted-page-html.ts";

/** What the page says about a link that is forged, expired or already used (the GET page and the POST answer). */
export const INVALID_UNBLOCK_LINK = [
  "This unblock link is not valid",
  "It was already used, or it has expired. Blocks also end when you change your password, or 30 days after the last attempt.",
] as const;

const MESSAGES = {
  unblocked: ["Your account is unblocked", "You can log in again."],
  not_blocked: ["Nothing to unblock", "Your account is not blocked (any more). You can log in."],
  invalid: INVALID_UNBLOCK_LINK,
} as const;

/**
 * The page answering the unblock button: a hosted account page (the sign-in look, light and dark; no script, no
 * referrer beyond our origin, never cached, not framable), and not sniffable.
 */
export function unblockResultPage(outcome: keyof typeof MESSAGES): Response {
  const [title, text] = MESSAGES[outcome];
  const res = accountPage(outcome === "invalid" ? 400 : 200, title, `<p>${escapeHtml(text)}</p>`);
  res.headers.set("x-content-type-options", "nosniff");
  return res;
}
