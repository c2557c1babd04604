import { readAdminJson } from "@/server/admin/read-admin-body";
import { withAdmin } from "@/server/admin/session";
import { createUser } from "@/server/admin/create-user";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** POST /api/admin/users: create a database user with a password (policy and breached-password check apply). */
export const POST = withAdmin("users:write", async (req, deps, admin) =>
  Response.json(await createUser(deps, admin, await readAdminJson(req)), { status: 201 }),
);
