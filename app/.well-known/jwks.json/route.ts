import { handleJwks } from "@/server/oauth/jwks";
import { getDeps } from "@/server/config/deps";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  return handleJwks(await getDeps());
}
