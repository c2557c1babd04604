// The shell of every hosted page a user opens from a mail (reset password, verify email, the unblock result): here,
// below the domain layers, so both oauth/ (the account pages) and protection/ (the unblock page) use one copy.

/** Escape text for HTML element content and double-quoted attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// The sign-in page's look (app/globals.css, app/login): the same colour tokens (light and dark), font and narrow
// centred column. Inline, so the page needs no script, no stylesheet request and nothing from another origin.
const STYLE = `:root{color-scheme:light dark;--bg:#fff;--fg:#1d2430;--muted:#5b6472;--line:#8a93a3;--accent:#2b59c3;--accent-fg:#fff;--focus:#2b59c3;--danger:#a61b1b;--danger-soft:#fdeeee}
@media (prefers-color-scheme:dark){:root{--bg:#12161c;--fg:#e6e9ee;--muted:#a3acb9;--line:#6b7585;--accent:#8fb0ff;--accent-fg:#0b1220;--focus:#8fb0ff;--danger:#ff8a8a;--danger-soft:#3a1d20}}
*{box-sizing:border-box}body{background:var(--bg);color:var(--fg);font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;padding:1.5rem 2rem;line-height:1.5}
main{max-width:360px;margin:4rem auto}h1{margin-top:0;font-size:1.6rem}
label{display:block;font-weight:600;margin:.8rem 0 .25rem}
input[type=password]{width:100%;padding:.5rem .6rem;background:var(--bg);color:var(--fg);border:1px solid var(--line);border-radius:6px;font:inherit}
a{color:var(--accent)}
button{margin-top:1rem;padding:.5rem 1rem;border:0;border-radius:6px;background:var(--accent);color:var(--accent-fg);font:inherit;font-weight:600;cursor:pointer}
button:focus-visible,input:focus-visible,a:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.error{color:var(--danger);background:var(--danger-soft);border:1px solid var(--danger);border-radius:6px;padding:.5rem .7rem}
.muted{color:var(--muted);font-size:.92rem}`;

/**
 * A hosted account page (reset password, verify email): no script, no referrer (the URL holds a ticket), never
 * cached, not framable.
 */
export function accountPage(status: number, title: string, bodyHtml: string): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="same-origin"><title>${escapeHtml(title)} · Portcullis</title><style>${STYLE}</style></head><body><main><h1>${escapeHtml(title)}</h1>${bodyHtml}</main></body></html>`;
  return new Response(html, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      // Not no-referrer: with it, browsers send `Origin: null` on the page's own form POST. same-origin still keeps
      // the ticket in the URL from reaching any other site.
      "referrer-policy": "same-origin",
      "x-frame-options": "DENY",
      "content-security-policy":
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    },
  });
}
