import { getDeps } from "@/server/config/deps";
import { showVerifyEmailPage, submitVerifyEmailPage } from "@/server/oauth/dbconnections/verify-email-page";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /verify-email?ticket=…: the hosted verification page (changes nothing). */
export async function GET(req: Request): Promise<Response> {
  return showVerifyEmailPage(req, await getDeps());
}

/** POST /verify-email: the page's button. */
export async function POST(req: Request): Promise<Response> {
  return submitVerifyEmailPage(req, await getDeps());
}
