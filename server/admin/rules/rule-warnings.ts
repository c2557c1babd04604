// Pure (no imports): the dashboard's rule editor runs these in the browser as the admin types, and the admin API runs
// them when a rule is saved, so both show the same warning for the same script.

export const REDIRECT_WITHOUT_PROTOCOL_WARNING =
  "This rule sets context.redirect without checking context.protocol. Redirects are not possible for password " +
  "and refresh-token logins: those logins will fail with access_denied. Skip the redirect when context.protocol " +
  "is 'oauth2-password', 'oauth2-refresh-token' or 'oauth2-resource-owner'.";

const REDIRECT_ASSIGNMENT = /context\s*\.\s*redirect\s*=(?!=)|context\s*\[\s*['"]redirect['"]\s*\]\s*=(?!=)/g;
const PROTOCOL_CHECK = /context\s*\.\s*protocol|context\s*\[\s*['"]protocol['"]\s*\]/;

/** Where a script assigns `context.redirect` (offsets into the script), and whether it looks at `context.protocol`. */
export function findRedirectAssignments(script: string): {
  assignments: { from: number; to: number }[];
  checksProtocol: boolean;
} {
  const assignments = [...script.matchAll(REDIRECT_ASSIGNMENT)].map((m) => ({
    from: m.index,
    // Up to the `=`, so the mark covers `context.redirect` itself.
    to: m.index + m[0].length - 1,
  }));
  return { assignments, checksProtocol: PROTOCOL_CHECK.test(script) };
}

/** Static warnings shown when a rule is saved (the rule is saved anyway). */
export function ruleWarnings(script: string): string[] {
  const { assignments, checksProtocol } = findRedirectAssignments(script);
  return assignments.length > 0 && !checksProtocol ? [REDIRECT_WITHOUT_PROTOCOL_WARNING] : [];
}
