/** Where the dashboard goes after sign-in when the callback URL is missing or refused. */
export const DEFAULT_CALLBACK_PATH = "/admin";

/**
 * The same-origin path (path, query, fragment) a post-sign-in callback URL leads to, or `/admin`. The value is
 * resolved against `origin` exactly as a browser would resolve it (`/\evil.com`, `/\t/evil.com` and `//evil.com`
 * all name another host) and refused unless it stays on that origin. The answer is a path that no later
 * resolution can turn into another host: never `//…`, never a backslash, tab or newline. Pure, so the sign-in page
 * (server), the sign-in form (browser) and next-auth's redirect callback share it.
 */
export function resolveCallbackUrl(value: unknown, origin: string): string {
  if (typeof value !== "string" || value === "") return DEFAULT_CALLBACK_PATH;
  let base: URL;
  let url: URL;
  try {
    base = new URL(origin);
    url = new URL(value, base);
  } catch {
    return DEFAULT_CALLBACK_PATH;
  }
  if (url.origin !== base.origin) return DEFAULT_CALLBACK_PATH;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // The parser leaves a path like `https://host//evil.com`'s `//evil.com`: as a relative URL that names a host.
  // Control characters and backslashes it has already encoded or turned into `/`; refuse any that slipped through,
  // and their percent-encoded forms in the path, which no dashboard path has and a careless decode would revive.
  if (
    !path.startsWith("/") ||
    path.startsWith("//") ||
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
    /[\\\u0000-\u001f\u007f]/.test(path) ||
    /%(2f|5c|[01][0-9a-f]|7f)/i.test(url.pathname)
  )
    return DEFAULT_CALLBACK_PATH;
  return path;
}
