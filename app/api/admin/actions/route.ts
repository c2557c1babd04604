import { withRulesAdmin, readJsonBody } from "@/server/admin/rules-route";
import { listActions } from "@/server/admin/actions/list-actions";
import { createAction } from "@/server/admin/actions/create-action";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withRulesAdmin("actions:read", async (_req, deps, _params, admin) =>
  listActions(deps, admin),
);
export const POST = withRulesAdmin(
  "actions:write",
  async (req, deps, _params, admin) => createAction(deps, admin, await readJsonBody(req)),
  { status: 201 },
);
