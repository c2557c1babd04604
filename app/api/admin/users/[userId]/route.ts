import { withAdmin } from "@/server/admin/session";
import { AdminError, lastPathSegment, readJsonObject, respond } from "@/server/admin/admin-error";
import { setUserPassword } from "@/server/admin/set-user-password";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** PATCH /api/admin/users/{user_id} with `{password}`: set a new password (ends the user's blocks). */
export const PATCH = withAdmin("users:write", (req, deps) =>
  respond(async () => {
    const { password, ...rest } = await readJsonObject(req);
    const extra = Object.keys(rest);
    if (extra.length > 0)
      throw new AdminError(400, `Unsupported fields: ${extra.join(", ")}`, "invalid_body");
    return setUserPassword(deps, lastPathSegment(req), password);
  }),
);
