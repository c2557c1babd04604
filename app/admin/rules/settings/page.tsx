import Link from "next/link";
import { getDeps } from "@/server/config/deps";
import { listRuleSettings } from "@/server/admin/rules/rule-settings";
import { getPageAdmin } from "@/server/admin/session";
import { canPerform } from "@/server/admin/roles";
import { Forbidden } from "@/components/forbidden";
import { RuleSettings } from "@/components/rule-settings";

export default async function RuleSettingsPage() {
  const admin = await getPageAdmin("rules:read");
  if (!admin) return <Forbidden />;
  // Keys and dates only: values are sealed on the server and never sent to the browser.
  const settings = await listRuleSettings(await getDeps(), admin);
  const canWrite = canPerform(admin.role, "rules:write");
  return (
    <section className="stack">
      <p>
        <Link href="/admin/rules">← Rules</Link>
      </p>
      <h1>Rule settings</h1>
      <p>
        Rules read these as <code>configuration.KEY</code>. Keep API keys and other secrets here rather than
        in scripts: values are encrypted at rest and hidden from logs.
        {!canWrite && " Your role can see the keys but not change them."}
      </p>
      <RuleSettings settings={settings} canWrite={canWrite} />
    </section>
  );
}
