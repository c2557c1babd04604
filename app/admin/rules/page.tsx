import Link from "next/link";
import { getDeps } from "@/server/config/deps";
import { listRules } from "@/server/admin/rules/list-rules";
import { getPageAdmin } from "@/server/admin/session";
import { canPerform } from "@/server/admin/roles";
import { Forbidden } from "@/components/forbidden";
import { NewRuleForm } from "@/components/rule-editor";

export default async function RulesPage() {
  const admin = await getPageAdmin("rules:read");
  if (!admin) return <Forbidden />;
  const rules = await listRules(await getDeps());
  return (
    <section>
      <h1>Rules</h1>
      <p>Enabled rules run in order on every password, realm and refresh-token login.</p>
      {canPerform(admin.role, "rules:write") && <NewRuleForm />}
      {rules.length === 0 ? (
        <p>No rules yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Order</th>
              <th>Name</th>
              <th>State</th>
              <th>Version</th>
            </tr>
          </thead>
          <tbody>
            {rules.map((r) => (
              <tr key={r.id}>
                <td>{r.order}</td>
                <td>
                  <Link href={`/admin/rules/${r.id}`}>{r.name}</Link>
                </td>
                <td>{r.enabled ? "enabled" : "disabled"}</td>
                <td>{r.version}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
