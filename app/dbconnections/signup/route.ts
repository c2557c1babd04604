import { handleSignup } from "@/server/oauth/dbconnections/signup";
import { getDeps } from "@/server/config/deps";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** POST /dbconnections/signup (our HTTP server answers it itself; this serves `next dev`). */
export async function POST(req: Request): Promise<Response> {
  return handleSignup(req, await getDeps());
}
