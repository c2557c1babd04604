// The hosted pages' shell lives in platform/ so protection/ (the unblock page) shares it; the account pages import
// it from here.
export { accountPage, escapeHtml } from "../../platform/hosted-page-html.ts";

/** Whether a state-changing POST comes from our own pages: a cross-site Origin (or Sec-Fetch-Site) is refused. */
export function isSameOriginPost(req: Request, publicUrl: string): boolean {
  const site = req.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return false;
  const origin = req.headers.get("origin");
  if (origin === null) return true;
  // A page with a no-referrer policy (an older copy of ours) posts `Origin: null`; the browser's own Sec-Fetch-Site
  // (no page can set it) then says whether it was ours.
  if (origin === "null") return site === "same-origin";
  return origin === new URL(publicUrl).origin;
}
