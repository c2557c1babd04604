import { withAdmin, readJsonBody } from "@/server/admin/guard";
import { tryRules } from "@/server/admin/rules/try-rules";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = withAdmin(async (req, deps) => tryRules(deps, await readJsonBody(req)));
