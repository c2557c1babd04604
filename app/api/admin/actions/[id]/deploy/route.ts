import { withRulesAdmin } from "@/server/admin/rules-route";
import { deployAction } from "@/server/admin/actions/deploy-action";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = withRulesAdmin<{ id: string }>("actions:write", async (_req, deps, { id }, admin) =>
  deployAction(deps, admin, id),
);
