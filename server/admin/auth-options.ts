import type { NextAuthOptions } from "next-auth";
import CredentialsModule from "next-auth/providers/credentials";
import { getDeps } from "../config/deps.ts";
import { verifyAdminSignIn } from "./accounts.ts";
import { resolveCallbackUrl } from "./resolve-callback-url.ts";

// next-auth ships CommonJS: Next's bundler hands over its default export, Node's own ESM loader (the admin API
// served without a Next build, as in the multi-process tests) the exports object that holds it.
const CredentialsProvider =
  (CredentialsModule as unknown as { default?: typeof CredentialsModule }).default ?? CredentialsModule;

/** Dashboard sessions last a working day. */
const SESSION_SECONDS = 8 * 60 * 60;

/**
 * next-auth configuration for dashboard sign-in (credentials + optional TOTP). The JWT carries only the admin's
 * id; role and existence are re-read from the database on every request (see session.ts), so a demotion or a
 * deleted account takes effect at once. Errors surface as codes the sign-in form understands.
 */
export const authOptions: NextAuthOptions = {
  secret: process.env.NEXTAUTH_SECRET,
  session: { strategy: "jwt", maxAge: SESSION_SECONDS },
  pages: { signIn: "/login" },
  providers: [
    CredentialsProvider({
      name: "Portcullis admin",
      credentials: {
        email: { label: "Email", type: "email" },
        password: { label: "Password", type: "password" },
        otp: { label: "Authenticator code", type: "text" },
      },
      async authorize(credentials) {
        if (!credentials?.email || !credentials.password) return null;
        const deps = await getDeps();
        const result = await verifyAdminSignIn(
          deps,
          credentials.email,
          credentials.password,
          credentials.otp || undefined,
        );
        if (result.ok) return { id: result.admin.id, email: result.admin.email };
        if (result.reason === "otp_required" || result.reason === "otp_invalid")
          throw new Error(result.reason);
        return null;
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) token.sub = user.id;
      return token;
    },
    session({ session, token }) {
      return { ...session, adminId: token.sub };
    },
    // Every callbackUrl next-auth follows (query, body, cookie) gets the sign-in page's check: same origin or
    // /admin. next-auth's default keeps anything that starts with `/` and throws on other relative values.
    redirect({ url, baseUrl }) {
      return new URL(resolveCallbackUrl(url, baseUrl), baseUrl).href;
    },
  },
};
