import { handleDeleteAuthenticator } from "@/server/mfa/mfa-api";
import { getDeps } from "@/server/config/deps";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function DELETE(
  req: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  return handleDeleteAuthenticator(req, await getDeps(), (await params).id);
}
