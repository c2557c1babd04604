import { getDeps } from "@/server/config/deps";
import { getMfaSettings } from "@/server/admin/mfa";
import { getPageAdmin } from "@/server/admin/session";
import { canPerform } from "@/server/admin/roles";
import { Forbidden } from "@/components/forbidden";
import { MfaSettingsForm } from "@/components/mfa-settings-form";

export default async function MfaPage() {
  const admin = await getPageAdmin("config:read");
  if (!admin) return <Forbidden />;
  const settings = await getMfaSettings(await getDeps(), admin);
  return (
    <section>
      <h1>Multi-factor authentication</h1>
      <p>
        Applications need the MFA grant types to complete a login that requires MFA; without them such a login
        is refused.
      </p>
      <MfaSettingsForm initial={settings} canEdit={canPerform(admin.role, "config:write")} />
    </section>
  );
}
