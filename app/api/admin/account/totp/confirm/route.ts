import { withAdmin, AdminInputError } from "@/server/admin/session";
import { confirmAdminTotpEnrollment } from "@/server/admin/accounts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = withAdmin("account:self", async (req, deps, admin) => {
  const body = (await req.json().catch(() => null)) as { code?: unknown } | null;
  if (typeof body?.code !== "string") throw new AdminInputError("code is required");
  if (!(await confirmAdminTotpEnrollment(deps, admin.id, body.code)))
    throw new AdminInputError("That code is not valid. Try the current one.");
  return Response.json({ enabled: true });
});
