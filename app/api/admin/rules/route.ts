import { withAdmin, readJsonBody } from "@/server/admin/guard";
import { listRules } from "@/server/admin/rules/list-rules";
import { createRule } from "@/server/admin/rules/create-rule";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withAdmin(async (_req, deps) => listRules(deps));
export const POST = withAdmin(async (req, deps) => createRule(deps, await readJsonBody(req)), {
  status: 201,
});
