import { readAdminJson } from "@/server/admin/read-admin-body";
import { withAdmin } from "@/server/admin/session";
import { updateApi } from "@/server/admin/update-api";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** PATCH /api/admin/apis/{id or URL-encoded identifier}: edit an API; a new HS256 signing secret is returned once. */
// Next may hand over the segment still percent-encoded; an identifier with a literal "%" must survive too.
function decodeSegment(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

export const PATCH = withAdmin("config:write", async (req, deps, admin, params) =>
  Response.json(await updateApi(deps, admin, decodeSegment(params.id ?? ""), await readAdminJson(req)), {
    headers: { "cache-control": "no-store" },
  }),
);
