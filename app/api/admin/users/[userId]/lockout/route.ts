import { withAdmin } from "@/server/admin/session";
import { respond } from "@/server/admin/management-route";
import { explainLockout } from "@/server/admin/lockout/explain-lockout";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The user id segment; one that is not valid percent-encoding names no user (404), never a 500. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * GET /api/admin/users/{user_id}/lockout: why the user cannot sign in and what lifts it,
 * `{state, causes: [{kind, state, ip, count, threshold, since, until, records, lifts}]}`
 * (docs/attack-protection.md, "Why is this user blocked?").
 */
export const GET = withAdmin("logs:read", (_req, deps, admin, params) =>
  respond(() => explainLockout(deps, admin, decodeSegment(params.userId ?? ""))),
);
