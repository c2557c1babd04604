import { withRulesAdmin } from "@/server/admin/rules-route";
import { listRuleVersions } from "@/server/admin/rules/rule-versions";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withRulesAdmin<{ id: string }>("rules:read", async (_req, deps, { id }, admin) =>
  listRuleVersions(deps, admin, id),
);
