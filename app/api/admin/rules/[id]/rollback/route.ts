import { withRulesAdmin, readJsonBody } from "@/server/admin/rules-route";
import { rollbackRule } from "@/server/admin/rules/rule-versions";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = withRulesAdmin<{ id: string }>("rules:write", async (req, deps, { id }, admin) =>
  rollbackRule(deps, admin, id, await readJsonBody(req)),
);
