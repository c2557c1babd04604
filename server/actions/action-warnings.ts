// Pure (no imports): the dashboard's action editor runs these in the browser as the admin types, and the admin API
// and the tenant importer run them when an action is saved, so all show the same warning for the same code.

export const ACTION_REDIRECT_WARNING =
  "This action calls api.redirect without checking api.redirect.canRedirect() or event.transaction.protocol. " +
  "Redirects are not possible for password and refresh-token logins: those logins will fail with access_denied. " +
  "Skip the redirect when event.transaction.protocol is 'oauth2-password', 'oauth2-refresh-token' or " +
  "'oauth2-resource-owner', or when api.redirect.canRedirect() is false.";

export const ACTION_NO_HANDLER_WARNING =
  "This action does not define exports.onExecutePostLogin: it does nothing in the post-login flow.";

const REDIRECT_CALL = /api\s*\.\s*redirect\s*\.\s*(sendUserTo|encodeToken|validateToken)\b/g;
const REDIRECT_GUARD = /canRedirect|transaction\s*\??\.\s*protocol/;
const HANDLER = /\bonExecutePostLogin\b/;

/** Where the code calls api.redirect (offsets into the code), and whether it guards the call. */
export function findActionRedirects(code: string): {
  calls: { from: number; to: number }[];
  isGuarded: boolean;
} {
  const calls = [...code.matchAll(REDIRECT_CALL)].map((m) => ({ from: m.index, to: m.index + m[0].length }));
  return { calls, isGuarded: REDIRECT_GUARD.test(code) };
}

/** Static warnings shown when an action is saved (the action is saved anyway). */
export function actionWarnings(code: string): string[] {
  const out: string[] = [];
  if (!HANDLER.test(code)) out.push(ACTION_NO_HANDLER_WARNING);
  const { calls, isGuarded } = findActionRedirects(code);
  if (calls.length > 0 && !isGuarded) out.push(ACTION_REDIRECT_WARNING);
  return out;
}
