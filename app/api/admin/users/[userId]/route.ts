import { withAdmin } from "@/server/admin/session";
import { AdminError } from "@/server/admin/admin-error";
import { lastPathSegment, readJsonObject, respond } from "@/server/admin/management-route";
import { setUserPassword } from "@/server/admin/set-user-password";
import { updateUser } from "@/server/admin/update-user";
import { deleteUser } from "@/server/admin/delete-user";

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
        throw AdminError.invalid(`Set the password on its own; remove: ${extra.join(", ")}`, {
          code: "invalid_body",
        });
      return setUserPassword(deps, admin, lastPathSegment(req), password);
    }
    // The dashboard's edit form sends profile edits and shows a refusal's `fields` next to its controls.
    return respond(() => updateUser(deps, admin, lastPathSegment(req), body), "dashboard");
  }),
);

/** DELETE /api/admin/users/{user_id}: delete the user, its tokens, MFA and blocks; 204 as on Auth0. */
export const DELETE = withAdmin("users:write", (req, deps, admin) =>
  respond(async () => {
    await deleteUser(deps, admin, lastPathSegment(req));
  }),
);
