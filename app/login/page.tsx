import { SignInForm } from "@/components/sign-in-form";

export const metadata = { title: "Sign in · Portcullis" };

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string }>;
}) {
  const { callbackUrl } = await searchParams;
  // Only same-site paths: an absolute callback URL would be an open redirect.
  const target =
    callbackUrl && callbackUrl.startsWith("/") && !callbackUrl.startsWith("//") ? callbackUrl : "/admin";
  return (
    <main style={{ maxWidth: 360, margin: "4rem auto" }}>
      <h1>Portcullis admin</h1>
      <SignInForm callbackUrl={target} />
    </main>
  );
}
