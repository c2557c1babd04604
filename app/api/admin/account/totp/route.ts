import QRCode from "qrcode";
import { withAdmin, AdminInputError } from "@/server/admin/session";
import { startAdminTotpEnrollment } from "@/server/admin/accounts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = withAdmin("account:self", async (_req, deps, admin) => {
  if (admin.id === "api-token") throw new AdminInputError("The API token has no account.");
  if (admin.totpEnabled) throw new AdminInputError("An authenticator is already set up.", 409);
  const { secret, otpauthUri } = await startAdminTotpEnrollment(deps, admin.id);
  const qr = await QRCode.toDataURL(otpauthUri);
  return Response.json({ secret, otpauth_uri: otpauthUri, qr }, { headers: { "cache-control": "no-store" } });
});
