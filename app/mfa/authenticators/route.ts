import { handleListAuthenticators } from "@/server/mfa/mfa-api";
import { getDeps } from "@/server/config/deps";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(req: Request): Promise<Response> {
  return handleListAuthenticators(req, await getDeps());
}
