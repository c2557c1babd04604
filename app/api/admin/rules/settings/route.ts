import { withRulesAdmin } from "@/server/admin/rules-route";
import { listRuleSettings } from "@/server/admin/rules/rule-settings";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withRulesAdmin("rules:read", async (_req, deps, _params, admin) =>
  listRuleSettings(deps, admin),
);
