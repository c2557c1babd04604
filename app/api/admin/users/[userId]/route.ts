import { withAdmin } from "@/server/admin/session";
import { AdminError, lastPathSegment, readJsonObject, respond } from "@/server/admin/admin-error";
import { setUserPassword } from "@/server/admin/set-user-password";
import { updateUser } from "@/server/admin/update-user";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * PATCH /api/admin/users/{user_id}: with `{password}` alone, set a new password (ends the user's blocks);
 * otherwise edit profile fields and metadata. As on Auth0, the password is not changed together with other fields.
 */
export const PATCH = withAdmin("users:write", (req, deps, admin) =>
  respond(async () => {
    const body = await readJsonObject(req);
    if ("password" in body) {
      const { password, ...rest } = body;
      const extra = Object.keys(rest);
      if (extra.length > 0)
        throw new AdminError(400, `Set the password on its own; remove: ${extra.join(", ")}`, "invalid_body");
      return setUserPassword(deps, admin, lastPathSegment(req), password);
    }
    return updateUser(deps, admin, lastPathSegment(req), body);
  }),
);
