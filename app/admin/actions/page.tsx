import Link from "next/link";
import { getDeps } from "@/server/config/deps";
import { listActions } from "@/server/admin/actions/list-actions";
import { getPageAdmin } from "@/server/admin/session";
import { canPerform } from "@/server/admin/roles";
import { Forbidden } from "@/components/forbidden";
import { NewActionForm } from "@/components/action-new-form";

const badge = { border: "1px solid var(--line)", borderRadius: 4, padding: "0 0.35rem", fontSize: "0.85rem" };

export default async function ActionsPage() {
  const admin = await getPageAdmin("actions:read");
  if (!admin) return <Forbidden />;
  const { actions } = await listActions(await getDeps(), admin);
  const canWrite = canPerform(admin.role, "actions:write");
  return (
    <section className="stack">
      <h1>Actions</h1>
      <p>
        Actions run after every password and refresh-token login, once deployed and bound to the{" "}
        <Link href="/admin/actions/flows/post-login">post-login flow</Link>. They run after the rules.
      </p>
      {canWrite ? <NewActionForm /> : <p>Your role can read actions but not change them.</p>}
      {actions.length === 0 ? (
        <p className="empty">No actions yet.</p>
      ) : (
        <table>
          <caption>The action library, by name.</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Deployed</th>
              <th scope="col">Draft</th>
              <th scope="col">Flow</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {actions.map((a) => (
              <tr key={a.id} data-testid="action-row">
                <td>
                  <Link href={`/admin/actions/${a.id}`}>{a.name}</Link>
                </td>
                <td>{a.deployed_version ? `version ${a.deployed_version.number}` : "not deployed"}</td>
                <td>{a.all_changes_deployed ? "all changes deployed" : "changes not deployed"}</td>
                <td>
                  {a.bound_triggers.length > 0 ? (
                    <span style={badge}>bound: {a.bound_triggers.join(", ")}</span>
                  ) : (
                    <span className="muted">not bound</span>
                  )}
                </td>
                <td>
                  <time dateTime={a.updated_at}>{a.updated_at.replace("T", " ").slice(0, 19)} UTC</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
