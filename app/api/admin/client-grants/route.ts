import { readAdminJson } from "@/server/admin/read-admin-body";
import { withAdmin } from "@/server/admin/session";
import { createClientGrant } from "@/server/admin/client-grants/create-client-grant";
import { listClientGrants } from "@/server/admin/client-grants/list-client-grants";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/admin/client-grants[?audience=…][&client_id=…]: client grants, Auth0's shape. */
export const GET = withAdmin("config:read", async (req, deps, admin) => {
  const q = new URL(req.url).searchParams;
  return Response.json(
    await listClientGrants(deps, admin, {
      audience: q.get("audience") ?? undefined,
      client_id: q.get("client_id") ?? undefined,
    }),
    { headers: { "cache-control": "no-store" } },
  );
});

/** POST /api/admin/client-grants {client_id, audience, scope}: let an application get tokens for an API. */
export const POST = withAdmin("config:write", async (req, deps, admin) =>
  Response.json(await createClientGrant(deps, admin, await readAdminJson(req)), {
    status: 201,
    headers: { "cache-control": "no-store" },
  }),
);
