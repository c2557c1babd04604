import { readAdminJson } from "@/server/admin/read-admin-body";
import { withAdmin } from "@/server/admin/session";
import { AdminError } from "@/server/admin/admin-error";
import { confirmAdminTotpEnrollment } from "@/server/admin/accounts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = withAdmin("account:self", async (req, deps, admin) => {
  const body = (await readAdminJson(req)) as { code?: unknown } | null;
  if (typeof body?.code !== "string") throw AdminError.invalid("code is required");
  if (!(await confirmAdminTotpEnrollment(deps, admin, body.code)))
    throw AdminError.invalid("That code is not valid. Try the current one.");
  return Response.json({ enabled: true });
});
