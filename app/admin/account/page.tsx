import { getPageAdmin } from "@/server/admin/session";
import { TotpEnrollment } from "@/components/totp-enrollment";
import { Forbidden } from "@/components/forbidden";

export default async function AccountPage() {
  const admin = await getPageAdmin("account:self");
  if (!admin) return <Forbidden />;
  return (
    <section>
      <h1>Your account</h1>
      <p>
        {admin.email} · role {admin.role}
      </p>
      <h2>Two-step sign-in</h2>
      {admin.totpEnabled ? (
        <p data-testid="totp-on">An authenticator app is required when you sign in.</p>
      ) : (
        <TotpEnrollment />
      )}
    </section>
  );
}
