import { notFound } from "next/navigation";
import { getDeps } from "@/server/config/deps";
import { getRule } from "@/server/admin/rules/list-rules";
import { getPageAdmin } from "@/server/admin/session";
import { canPerform } from "@/server/admin/roles";
import { Forbidden } from "@/components/forbidden";
import { RuleEditor } from "@/components/rule-editor";

export default async function RulePage({ params }: { params: Promise<{ id: string }> }) {
  const admin = await getPageAdmin("rules:read");
  if (!admin) return <Forbidden />;
  const { id } = await params;
  const found = await getRule(await getDeps(), id).catch(() => null);
  if (!found) notFound();
  return (
    <section>
      <h1>Rule: {found.rule.name}</h1>
      <p>
        Order {found.rule.order} · version {found.rule.version} ·{" "}
        {found.rule.enabled ? "enabled" : "disabled"}
      </p>
      <RuleEditor
        key={`${found.rule.id}:${found.rule.version}:${String(found.rule.enabled)}`}
        rule={found.rule}
        warnings={found.warnings}
        canWrite={canPerform(admin.role, "rules:write")}
      />
    </section>
  );
}
