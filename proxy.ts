import { withAuth } from "next-auth/middleware";

// Dashboard pages need a session; the pages themselves check the role on the server (server/admin/session.ts).
export default withAuth({ pages: { signIn: "/login" } });

export const config = { matcher: ["/admin/:path*"] };
