import Link from "next/link";
import { notFound } from "next/navigation";
import { getDeps } from "@/server/config/deps";
import { getApplication } from "@/server/admin/get-application";
import { getPageAdmin } from "@/server/admin/session";
import { canPerform } from "@/server/admin/roles";
import { Forbidden } from "@/components/forbidden";
import { EditApplicationForm } from "@/components/edit-application-form";
import { ApplicationActions } from "@/components/application-actions";

export default async function ApplicationPage({ params }: { params: Promise<{ clientId: string }> }) {
  const admin = await getPageAdmin("config:read");
  if (!admin) return <Forbidden />;
  const clientId = decodeURIComponent((await params).clientId);
  const app = await getApplication(await getDeps(), admin, clientId);
  if (!app) notFound();
  const canWrite = canPerform(admin.role, "config:write");
  const s = app.settings;
  return (
    <section>
      <p>
        <Link href="/admin/applications">← Applications</Link>
      </p>
      <h1>{s.name}</h1>
      <p>
        Client ID: <code>{app.client_id}</code>
      </p>
      {canWrite ? (
        <>
          <EditApplicationForm clientId={app.client_id} settings={s} allConnections={app.all_connections} />
          <h2>Secret and deletion</h2>
          <ApplicationActions
            clientId={app.client_id}
            name={s.name}
            hasSecret={app.has_secret}
            afterDelete="/admin/applications"
          />
        </>
      ) : (
        <dl className="facts">
          <dt>Type</dt>
          <dd>{s.app_type}</dd>
          <dt>First party</dt>
          <dd>{s.is_first_party ? "yes" : "no"}</dd>
          <dt>Token endpoint authentication</dt>
          <dd>{s.token_endpoint_auth_method}</dd>
          <dt>Trusts the token endpoint IP header</dt>
          <dd>{s.is_token_endpoint_ip_header_trusted ? "yes" : "no"}</dd>
          <dt>Grant types</dt>
          <dd>{s.grant_types.join(", ") || "none"}</dd>
          <dt>Connections</dt>
          <dd>{s.connections.join(", ") || "none"}</dd>
          <dt>ID token lifetime</dt>
          <dd>{s.id_token_lifetime} s</dd>
          <dt>Refresh tokens</dt>
          <dd>
            {s.refresh_rotation_type}, lifetime {s.refresh_token_lifetime} s, idle {s.refresh_idle_lifetime} s
          </dd>
        </dl>
      )}
    </section>
  );
}
