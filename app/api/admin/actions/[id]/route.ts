import { withRulesAdmin, readJsonBody } from "@/server/admin/rules-route";
import { getAction } from "@/server/admin/actions/get-action";
import { updateAction } from "@/server/admin/actions/update-action";
import { deleteAction } from "@/server/admin/actions/delete-action";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type P = { id: string };
export const GET = withRulesAdmin<P>("actions:read", async (_req, deps, { id }, admin) =>
  getAction(deps, admin, id),
);
export const PATCH = withRulesAdmin<P>("actions:write", async (req, deps, { id }, admin) =>
  updateAction(deps, admin, id, await readJsonBody(req)),
);
export const DELETE = withRulesAdmin<P>("actions:write", async (req, deps, { id }, admin) => {
  await deleteAction(deps, admin, id, { force: new URL(req.url).searchParams.get("force") === "true" });
  return null;
});
