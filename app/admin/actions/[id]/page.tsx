import Link from "next/link";
import { notFound } from "next/navigation";
import { getDeps } from "@/server/config/deps";
import { getAction } from "@/server/admin/actions/get-action";
import { availableModules } from "@/server/actions/action-settings";
import { samplePostLoginEvent } from "@/server/actions/post-login-event";
import { getPageAdmin } from "@/server/admin/session";
import { canPerform } from "@/server/admin/roles";
import { Forbidden } from "@/components/forbidden";
import { ActionEditor } from "@/components/action-editor";

export default async function ActionPage({ params }: { params: Promise<{ id: string }> }) {
  const admin = await getPageAdmin("actions:read");
  if (!admin) return <Forbidden />;
  const { id } = await params;
  const deps = await getDeps();
  const found = await getAction(deps, admin, id).catch(() => null);
  if (!found) notFound();
  const { action } = found;
  return (
    <section>
      <p>
        <Link href="/admin/actions">← Actions</Link>
      </p>
      <h1>Action: {action.name}</h1>
      <p>
        Runtime {action.runtime} · trigger post-login ·{" "}
        <Link href={`/admin/actions/${action.id}/history`}>Version history</Link> ·{" "}
        <Link href="/admin/actions/flows/post-login">Post-login flow</Link>
      </p>
      <ActionEditor
        // Keyed by the action only: a save refreshes the page, and remounting would drop the editor's status.
        key={action.id}
        action={action}
        warnings={found.warnings}
        canWrite={canPerform(admin.role, "actions:write")}
        availableModules={availableModules()}
        sampleEvent={JSON.stringify(samplePostLoginEvent(deps.clock.now()), null, 2)}
      />
    </section>
  );
}
