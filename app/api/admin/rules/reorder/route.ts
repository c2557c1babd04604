import { withAdmin, readJsonBody } from "@/server/admin/guard";
import { reorderRules } from "@/server/admin/rules/reorder-rules";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = withAdmin(async (req, deps) => reorderRules(deps, await readJsonBody(req)));
