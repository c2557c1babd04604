import { withManagement } from "@/server/management/with-management";
import { createRuleFromRequest, listRulesPage } from "@/server/management/rules/rules";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/v2/rules (read:rules): `enabled`, `fields`, `include_fields`, paging. */
export const GET = withManagement(["read:rules"], (req, deps, caller) =>
  listRulesPage(deps, caller, new URL(req.url)),
);

/** POST /api/v2/rules (create:rules). */
export const POST = withManagement(["create:rules"], (req, deps, caller) =>
  createRuleFromRequest(deps, caller, req),
);
