import { withRulesAdmin, readJsonBody } from "@/server/admin/rules-route";
import { tryRules } from "@/server/admin/rules/try-rules";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = withRulesAdmin("rules:write", async (req, deps, _params, admin) =>
  tryRules(deps, admin, await readJsonBody(req)),
);
