import { readAdminJson } from "@/server/admin/read-admin-body";
import { withAdmin } from "@/server/admin/session";
import { setUserBlocked } from "@/server/admin/users";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** The user id as given when it is not valid percent-encoding (`%` alone): it then names no user, never a 500. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export const POST = withAdmin("users:block", async (req, deps, admin, params) => {
  const body = (await readAdminJson(req)) as { blocked?: unknown } | null;
  if (typeof body?.blocked !== "boolean")
    return Response.json(
      { error: "invalid_request", error_description: "blocked must be true or false" },
      { status: 400 },
    );
  await setUserBlocked(deps, admin, decodeSegment(params.userId ?? ""), body.blocked);
  return Response.json({ blocked: body.blocked });
});
