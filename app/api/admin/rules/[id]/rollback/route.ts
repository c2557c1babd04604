import { withAdmin, readJsonBody } from "@/server/admin/guard";
import { rollbackRule } from "@/server/admin/rules/rule-versions";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = withAdmin<{ id: string }>(async (req, deps, { id }) =>
  rollbackRule(deps, id, await readJsonBody(req)),
);
