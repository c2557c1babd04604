import Link from "next/link";
import { getDeps } from "@/server/config/deps";
import { listRules } from "@/server/admin/rules/list-rules";
import { getPageAdmin } from "@/server/admin/session";
import { canPerform } from "@/server/admin/roles";
import { Forbidden } from "@/components/forbidden";
import { NewRuleForm } from "@/components/rule-editor";
import { RulesList } from "@/components/rules-list";

export default async function RulesPage() {
  const admin = await getPageAdmin("rules:read");
  if (!admin) return <Forbidden />;
  const rules = await listRules(await getDeps(), admin);
  const canWrite = canPerform(admin.role, "rules:write");
  return (
    <section className="stack">
      <h1>Rules</h1>
      <p>
        Enabled rules run in order on every password, realm and refresh-token login.{" "}
        <Link href="/admin/rules/settings">Rule settings</Link> hold the secrets rules read as{" "}
        <code>configuration</code>.
      </p>
      {canWrite ? <NewRuleForm /> : <p>Your role can read rules but not change them.</p>}
      <RulesList
        rules={rules.map(({ id, name, enabled, order, version }) => ({ id, name, enabled, order, version }))}
        canWrite={canWrite}
      />
    </section>
  );
}
