import { handleUserinfo } from "@/server/oauth/userinfo";
import { getDeps } from "@/server/config/deps";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(req: Request): Promise<Response> {
  return handleUserinfo(req, await getDeps());
}

export async function POST(req: Request): Promise<Response> {
  return handleUserinfo(req, await getDeps());
}
