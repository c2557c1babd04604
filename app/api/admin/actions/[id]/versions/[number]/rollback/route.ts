import { withRulesAdmin } from "@/server/admin/rules-route";
import { rollbackAction } from "@/server/admin/actions/rollback-action";
import { parseVersionNumber } from "@/server/admin/actions/parse-actions-input";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type P = { id: string; number: string };
export const POST = withRulesAdmin<P>("actions:write", async (_req, deps, { id, number }, admin) =>
  rollbackAction(deps, admin, id, parseVersionNumber(number)),
);
