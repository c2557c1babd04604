import { withAdmin } from "@/server/admin/session";
import { respond } from "@/server/admin/management-route";
import { listBlocks } from "@/server/admin/protection/list-blocks";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/admin/attack-protection/blocks: current identifier and IP blocks. */
export const GET = withAdmin("logs:read", (_req, deps, admin) => respond(() => listBlocks(deps, admin)));
