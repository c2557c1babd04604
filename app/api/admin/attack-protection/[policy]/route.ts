import { withAdmin } from "@/server/admin/session";
import { lastPathSegment, readJsonObject, respond } from "@/server/admin/management-route";
import { parsePolicyName } from "@/server/admin/protection/policy-names";
import { getAttackProtection } from "@/server/admin/protection/get-attack-protection";
import { updateAttackProtection } from "@/server/admin/protection/update-attack-protection";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/admin/attack-protection/{brute-force-protection|suspicious-ip-throttling|breached-password-detection} */
export const GET = withAdmin("config:read", (req, deps, admin) =>
  respond(() => getAttackProtection(deps, admin, parsePolicyName(lastPathSegment(req)))),
);

/** PATCH the same with a partial policy object. */
export const PATCH = withAdmin("config:write", (req, deps, admin) =>
  respond(async () =>
    updateAttackProtection(deps, admin, parsePolicyName(lastPathSegment(req)), await readJsonObject(req)),
  ),
);
