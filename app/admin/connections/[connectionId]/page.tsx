import Link from "next/link";
import { notFound } from "next/navigation";
import { getDeps } from "@/server/config/deps";
import { getConnection } from "@/server/admin/get-connection";
import { getPageAdmin } from "@/server/admin/session";
import { canPerform } from "@/server/admin/roles";
import { Forbidden } from "@/components/forbidden";
import { EditConnectionForm } from "@/components/edit-connection-form";

export default async function ConnectionPage({ params }: { params: Promise<{ connectionId: string }> }) {
  const admin = await getPageAdmin("config:read");
  if (!admin) return <Forbidden />;
  const c = await getConnection(await getDeps(), admin, decodeURIComponent((await params).connectionId));
  if (!c) notFound();
  return (
    <section>
      <p>
        <Link href="/admin/connections">← Connections</Link>
      </p>
      <h1>{c.name}</h1>
      <p>
        <code>{c.id}</code> · {c.strategy} {c.isDefaultDirectory && <strong>· default directory</strong>}
      </p>
      {canPerform(admin.role, "config:write") ? (
        <EditConnectionForm
          id={c.id}
          name={c.name}
          enabledClients={c.enabledClients}
          isDefaultDirectory={c.isDefaultDirectory}
          clients={c.clients}
          passwordOptions={c.passwordOptions}
          passwordRules={c.passwordRules}
        />
      ) : (
        <dl className="facts">
          <dt>Applications that may use it</dt>
          <dd>{c.enabledClients.join(", ") || "none"}</dd>
          <dt>Password policy</dt>
          <dd className="pre-wrap">{c.passwordRules}</dd>
        </dl>
      )}
    </section>
  );
}
