import { withManagement } from "@/server/management/with-management";
import { deleteUserBlocks, listUserBlocks } from "@/server/management/user-blocks/user-blocks";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/v2/user-blocks?identifier=… (read:users). */
export const GET = withManagement(["read:users"], (req, deps, caller) =>
  listUserBlocks(deps, caller, new URL(req.url)),
);

/** DELETE /api/v2/user-blocks?identifier=… (update:users): 204. */
export const DELETE = withManagement(["update:users"], (req, deps, caller) =>
  deleteUserBlocks(deps, caller, new URL(req.url)),
);
