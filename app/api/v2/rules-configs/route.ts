import { withManagement } from "@/server/management/with-management";
import { listRulesConfigs } from "@/server/management/rules-configs/rules-configs";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/v2/rules-configs (read:rules_configs): keys only. */
export const GET = withManagement(["read:rules_configs"], (_req, deps, caller) =>
  listRulesConfigs(deps, caller),
);
