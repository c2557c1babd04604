import Link from "next/link";
import { getDeps } from "@/server/config/deps";
import { getPostLoginFlow } from "@/server/admin/actions/get-post-login-flow";
import { listActions } from "@/server/admin/actions/list-actions";
import { getPageAdmin } from "@/server/admin/session";
import { canPerform } from "@/server/admin/roles";
import { Forbidden } from "@/components/forbidden";
import { ActionFlowEditor } from "@/components/action-flow-editor";

export default async function PostLoginFlowPage() {
  const admin = await getPageAdmin("actions:read");
  if (!admin) return <Forbidden />;
  const deps = await getDeps();
  const [{ bindings }, { actions }] = [await getPostLoginFlow(deps, admin), await listActions(deps, admin)];
  return (
    <section className="stack">
      <p>
        <Link href="/admin/actions">← Actions</Link>
      </p>
      <h1>Post-login flow</h1>
      <p>
        After the rules, logins run these actions from top to bottom, each its deployed version. Only deployed
        actions can be added.
      </p>
      <ActionFlowEditor
        bindings={bindings}
        deployed={actions.filter((a) => a.deployed_version !== null).map((a) => ({ id: a.id, name: a.name }))}
        canWrite={canPerform(admin.role, "actions:write")}
      />
    </section>
  );
}
