import { handleChangePassword } from "@/server/oauth/dbconnections/change-password";
import { getDeps } from "@/server/config/deps";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** POST /dbconnections/change_password (our HTTP server answers it itself; this serves `next dev`). */
export async function POST(req: Request): Promise<Response> {
  return handleChangePassword(req, await getDeps());
}
