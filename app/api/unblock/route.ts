import { getDeps } from "@/server/config/deps";
import { readUnblockToken } from "@/server/protection/read-unblock-token";
import { redeemUnblockLink } from "@/server/protection/redeem-unblock-link";
import { unblockResultPage } from "@/server/protection/unblock-page";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** POST /api/unblock (the unblock page's button, form field `token`). */
export async function POST(req: Request): Promise<Response> {
  const token = await readUnblockToken(req);
  const outcome = token !== null ? await redeemUnblockLink(await getDeps(), token) : "invalid";
  return unblockResultPage(outcome);
}
