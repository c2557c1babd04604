import { withRulesAdmin, readJsonBody } from "@/server/admin/rules-route";
import { tryAction } from "@/server/admin/actions/try-action";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = withRulesAdmin<{ id: string }>("actions:write", async (req, deps, { id }, admin) =>
  tryAction(deps, admin, id, await readJsonBody(req)),
);
