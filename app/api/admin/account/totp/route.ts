import QRCode from "qrcode";
import { withAdmin } from "@/server/admin/session";
import { AdminError } from "@/server/admin/admin-error";
import { startAdminTotpEnrollment } from "@/server/admin/accounts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = withAdmin("account:self", async (_req, deps, admin) => {
  if (admin.id === "api-token") throw AdminError.invalid("The API token has no account.");
  if (admin.totpEnabled) throw AdminError.conflict("An authenticator is already set up.");
  const { secret, otpauthUri } = await startAdminTotpEnrollment(deps, admin);
  const qr = await QRCode.toDataURL(otpauthUri);
  return Response.json({ secret, otpauth_uri: otpauthUri, qr }, { headers: { "cache-control": "no-store" } });
});
