import { withRulesAdmin, readJsonBody } from "@/server/admin/rules-route";
import { reorderRules } from "@/server/admin/rules/reorder-rules";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = withRulesAdmin("rules:write", async (req, deps, _params, admin) =>
  reorderRules(deps, admin, await readJsonBody(req)),
);
