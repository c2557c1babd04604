import { withManagement } from "@/server/management/with-management";
import { listUsersByEmail } from "@/server/management/users/users";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/v2/users-by-email?email=… (read:users). */
export const GET = withManagement(["read:users"], (req, deps, caller) =>
  listUsersByEmail(deps, caller, new URL(req.url)),
);
