import { handleAssociate } from "@/server/mfa/mfa-api";
import { getDeps } from "@/server/config/deps";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function POST(req: Request): Promise<Response> {
  return handleAssociate(req, await getDeps());
}
