import { withRulesAdmin, readJsonBody } from "@/server/admin/rules-route";
import { listRules } from "@/server/admin/rules/list-rules";
import { createRule } from "@/server/admin/rules/create-rule";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withRulesAdmin("rules:read", async (_req, deps, _params, admin) => listRules(deps, admin));
export const POST = withRulesAdmin(
  "rules:write",
  async (req, deps, _params, admin) => createRule(deps, admin, await readJsonBody(req)),
  {
    status: 201,
  },
);
