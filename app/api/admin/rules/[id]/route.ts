import { withRulesAdmin, readJsonBody } from "@/server/admin/rules-route";
import { getRule } from "@/server/admin/rules/list-rules";
import { updateRule } from "@/server/admin/rules/update-rule";
import { deleteRule } from "@/server/admin/rules/delete-rule";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type P = { id: string };
export const GET = withRulesAdmin<P>("rules:read", async (_req, deps, { id }, admin) =>
  getRule(deps, admin, id),
);
export const PATCH = withRulesAdmin<P>("rules:write", async (req, deps, { id }, admin) =>
  updateRule(deps, admin, id, await readJsonBody(req)),
);
export const DELETE = withRulesAdmin<P>("rules:write", async (_req, deps, { id }, admin) => {
  await deleteRule(deps, admin, id);
  return null;
});
