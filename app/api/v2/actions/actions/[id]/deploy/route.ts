import { withManagement } from "@/server/management/with-management";
import { deployActionById } from "@/server/management/actions/actions";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** POST /api/v2/actions/actions/{id}/deploy (create:actions): the new action version. */
export const POST = withManagement(["create:actions"], (_req, deps, caller, params) =>
  deployActionById(deps, caller, params.id ?? ""),
);
