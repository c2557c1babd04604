import { withAdmin, readJsonBody } from "@/server/admin/guard";
import { getRulesNetwork, setRulesNetwork } from "@/server/admin/rules/rules-network";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withAdmin(async (_req, deps) => getRulesNetwork(deps));
export const PUT = withAdmin(async (req, deps) => setRulesNetwork(deps, await readJsonBody(req)));
