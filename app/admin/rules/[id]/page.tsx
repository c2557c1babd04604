import Link from "next/link";
import { notFound } from "next/navigation";
import { getDeps } from "@/server/config/deps";
import { getRule } from "@/server/admin/rules/list-rules";
import { listRuleSettings } from "@/server/admin/rules/rule-settings";
import { REDIRECT_UNAVAILABLE } from "@/server/rules/outcomes";
import { getPageAdmin } from "@/server/admin/session";
import { canPerform } from "@/server/admin/roles";
import { Forbidden } from "@/components/forbidden";
import { RuleEditor } from "@/components/rule-editor";

export default async function RulePage({ params }: { params: Promise<{ id: string }> }) {
  const admin = await getPageAdmin("rules:read");
  if (!admin) return <Forbidden />;
  const { id } = await params;
  const deps = await getDeps();
  const found = await getRule(deps, admin, id).catch(() => null);
  if (!found) notFound();
  // Names only, for `configuration.` completion: setting values never leave the server.
  const settingKeys = (await listRuleSettings(deps, admin)).map((s) => s.key);
  return (
    <section>
      <p>
        <Link href="/admin/rules">← Rules</Link>
      </p>
      <h1>Rule: {found.rule.name}</h1>
      <p>
        Order {found.rule.order} · version {found.rule.version} ·{" "}
        {found.rule.enabled ? "enabled" : "disabled"} ·{" "}
        <Link href={`/admin/rules/${found.rule.id}/history`}>Version history</Link>
      </p>
      <RuleEditor
        // Keyed by the rule only: a save refreshes the page with the new version, and remounting the editor then
        // would drop its "Saved." status and the Try panel's sample (the editor already holds what was saved).
        key={found.rule.id}
        rule={found.rule}
        warnings={found.warnings}
        canWrite={canPerform(admin.role, "rules:write")}
        settingKeys={settingKeys}
        redirectRefusal={REDIRECT_UNAVAILABLE}
      />
    </section>
  );
}
