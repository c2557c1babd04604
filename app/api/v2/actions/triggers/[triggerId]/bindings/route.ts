import { withManagement } from "@/server/management/with-management";
import { listTriggerBindings } from "@/server/management/actions/actions";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/v2/actions/triggers/{triggerId}/bindings (read:actions): the post-login flow. */
export const GET = withManagement(["read:actions"], (req, deps, caller, params) =>
  listTriggerBindings(deps, caller, params.triggerId ?? "", new URL(req.url)),
);
