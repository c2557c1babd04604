import NextAuth from "next-auth";
import { authOptions } from "@/server/admin/auth-options";
import { capAuthBody } from "@/server/admin/cap-auth-body";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const handler = capAuthBody(NextAuth(authOptions));
export { handler as GET, handler as POST };
