import { withRulesAdmin, readJsonBody } from "@/server/admin/rules-route";
import { getRulesNetwork, setRulesNetwork } from "@/server/admin/rules/rules-network";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withRulesAdmin("rules:read", async (_req, deps, _params, admin) =>
  getRulesNetwork(deps, admin),
);
export const PUT = withRulesAdmin("config:write", async (req, deps, _params, admin) =>
  setRulesNetwork(deps, admin, await readJsonBody(req)),
);
