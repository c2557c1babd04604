import { withAdmin } from "@/server/admin/guard";
import { listRuleVersions } from "@/server/admin/rules/rule-versions";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withAdmin<{ id: string }>(async (_req, deps, { id }) => listRuleVersions(deps, id));
