import { withAdmin } from "@/server/admin/session";
import { rotateClientSecret } from "@/server/admin/applications";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = withAdmin("config:write", async (_req, deps, admin, params) =>
  Response.json(await rotateClientSecret(deps, admin, params.clientId ?? ""), {
    headers: { "cache-control": "no-store" },
  }),
);
