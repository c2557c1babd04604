import { handleDiscovery } from "@/server/oauth/discovery";
import { getDeps } from "@/server/config/deps";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  return handleDiscovery((await getDeps()).env);
}
