import { withAdmin } from "@/server/admin/session";
import { lastPathSegment, respond } from "@/server/admin/management-route";
import { getUserBlocks } from "@/server/admin/protection/get-user-blocks";
import { unblockUser } from "@/server/admin/protection/unblock-user";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/admin/user-blocks/{user_id} */
export const GET = withAdmin("logs:read", (req, deps, admin) =>
  respond(() => getUserBlocks(deps, admin, { userId: lastPathSegment(req) })),
);

/** DELETE /api/admin/user-blocks/{user_id} */
export const DELETE = withAdmin("protection:unblock", (req, deps, admin) =>
  respond(async () => {
    await unblockUser(deps, admin, { userId: lastPathSegment(req) });
  }),
);
