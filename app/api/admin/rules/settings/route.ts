import { withAdmin } from "@/server/admin/guard";
import { listRuleSettings } from "@/server/admin/rules/rule-settings";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withAdmin(async (_req, deps) => listRuleSettings(deps));
