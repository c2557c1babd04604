import { handleChallenge } from "@/server/mfa/mfa-api";
import { getDeps } from "@/server/config/deps";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function POST(req: Request): Promise<Response> {
  return handleChallenge(req, await getDeps());
}
