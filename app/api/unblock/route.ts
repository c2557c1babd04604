import { getDeps } from "@/server/config/deps";
import { redeemUnblockLink } from "@/server/protection/redeem-unblock-link";
import { unblockResultPage } from "@/server/protection/unblock-page";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** POST /api/unblock (the unblock page's button, form field `token`). */
export async function POST(req: Request): Promise<Response> {
  const form = await req.formData().catch(() => null);
  const token = form?.get("token");
  const outcome = typeof token === "string" ? await redeemUnblockLink(await getDeps(), token) : "invalid";
  return unblockResultPage(outcome);
}
