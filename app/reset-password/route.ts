import { getDeps } from "@/server/config/deps";
import {
  showResetPasswordPage,
  submitResetPasswordPage,
} from "@/server/oauth/dbconnections/reset-password-page";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /reset-password?ticket=…: the hosted reset form (changes nothing). */
export async function GET(req: Request): Promise<Response> {
  return showResetPasswordPage(req, await getDeps());
}

/** POST /reset-password: the form's submission. */
export async function POST(req: Request): Promise<Response> {
  return submitResetPasswordPage(req, await getDeps());
}
