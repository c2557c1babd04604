import { handleRevokeRequest } from "@/server/oauth/revoke-endpoint";
import { getDeps } from "@/server/config/deps";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function POST(req: Request): Promise<Response> {
  return handleRevokeRequest(req, await getDeps());
}
