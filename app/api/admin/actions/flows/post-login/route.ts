import { withRulesAdmin, readJsonBody } from "@/server/admin/rules-route";
import { getPostLoginFlow } from "@/server/admin/actions/get-post-login-flow";
import { updatePostLoginFlow } from "@/server/admin/actions/update-post-login-flow";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withRulesAdmin("actions:read", async (_req, deps, _params, admin) =>
  getPostLoginFlow(deps, admin),
);
export const PATCH = withRulesAdmin("actions:write", async (req, deps, _params, admin) =>
  updatePostLoginFlow(deps, admin, await readJsonBody(req)),
);
