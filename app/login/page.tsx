import { SignInForm } from "@/components/sign-in-form";
import { getDeps } from "@/server/config/deps";
import { resolveCallbackUrl } from "@/server/admin/resolve-callback-url";

export const metadata = { title: "Sign in · Portcullis" };

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string | string[] }>;
}) {
  const { callbackUrl } = await searchParams;
  // Only a path on our own origin: anything else would be an open redirect.
  const target = resolveCallbackUrl(callbackUrl, (await getDeps()).env.PUBLIC_URL);
  return (
    <main className="auth-page">
      <h1>Portcullis admin</h1>
      <SignInForm callbackUrl={target} />
    </main>
  );
}
