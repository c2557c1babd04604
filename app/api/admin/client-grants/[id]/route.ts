import { readAdminJson } from "@/server/admin/read-admin-body";
import { withAdmin } from "@/server/admin/session";
import { deleteClientGrant } from "@/server/admin/client-grants/delete-client-grant";
import { updateClientGrant } from "@/server/admin/client-grants/update-client-grant";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** PATCH /api/admin/client-grants/{id} {scope}: replace a client grant's scopes. */
export const PATCH = withAdmin("config:write", async (req, deps, admin, params) =>
  Response.json(await updateClientGrant(deps, admin, params.id ?? "", await readAdminJson(req)), {
    headers: { "cache-control": "no-store" },
  }),
);

/** DELETE /api/admin/client-grants/{id}: the application gets no more tokens for that API. */
export const DELETE = withAdmin("config:write", async (_req, deps, admin, params) => {
  await deleteClientGrant(deps, admin, params.id ?? "");
  return new Response(null, { status: 204 });
});
