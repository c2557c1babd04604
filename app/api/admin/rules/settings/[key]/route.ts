import { withRulesAdmin, readJsonBody } from "@/server/admin/rules-route";
import { deleteRuleSetting, setRuleSetting } from "@/server/admin/rules/rule-settings";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type P = { key: string };
export const PUT = withRulesAdmin<P>("rules:write", async (req, deps, { key }, admin) =>
  setRuleSetting(deps, admin, key, await readJsonBody(req)),
);
export const DELETE = withRulesAdmin<P>("rules:write", async (_req, deps, { key }, admin) => {
  await deleteRuleSetting(deps, admin, key);
  return null;
});
