import { withAdmin } from "@/server/admin/session";
import { respond } from "@/server/admin/management-route";
import { getUserBlocks } from "@/server/admin/protection/get-user-blocks";
import { unblockUser } from "@/server/admin/protection/unblock-user";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const identifierOf = (req: Request) => new URL(req.url).searchParams.get("identifier") ?? "";

/** GET /api/admin/user-blocks?identifier=… */
export const GET = withAdmin("logs:read", (req, deps, admin) =>
  respond(() => getUserBlocks(deps, admin, { identifier: identifierOf(req) })),
);

/** DELETE /api/admin/user-blocks?identifier=… */
export const DELETE = withAdmin("protection:unblock", (req, deps, admin) =>
  respond(async () => {
    await unblockUser(deps, admin, { identifier: identifierOf(req) });
  }),
);
