import { withRulesAdmin } from "@/server/admin/rules-route";
import { listActionVersions } from "@/server/admin/actions/list-action-versions";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withRulesAdmin<{ id: string }>("actions:read", async (_req, deps, { id }, admin) =>
  listActionVersions(deps, admin, id),
);
