import { withAdmin, readJsonBody } from "@/server/admin/guard";
import { deleteRuleSetting, setRuleSetting } from "@/server/admin/rules/rule-settings";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type P = { key: string };
export const PUT = withAdmin<P>(async (req, deps, { key }) =>
  setRuleSetting(deps, key, await readJsonBody(req)),
);
export const DELETE = withAdmin<P>(async (_req, deps, { key }) => {
  await deleteRuleSetting(deps, key);
  return null;
});
