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

/** The small HTML page answering the unblock button. */
export function unblockResultPage(outcome: keyof typeof MESSAGES): Response {
  const [title, text] = MESSAGES[outcome];
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="color-scheme" content="light dark"><title>${title}</title></head><body style="font-family:system-ui,sans-serif;margin:2rem"><h1>${title}</h1><p>${text}</p></body></html>`;
  return new Response(html, {
    status: outcome === "invalid" ? 400 : 200,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "referrer-policy": "same-origin",
      "x-frame-options": "DENY",
      "x-content-type-options": "nosniff",
      "content-security-policy":
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
    },
  });
}
