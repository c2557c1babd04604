import Link from "next/link";
import { notFound } from "next/navigation";
import { getDeps } from "@/server/config/deps";
import { getApplication } from "@/server/admin/get-application";
import { getPageAdmin } from "@/server/admin/session";
import { canPerform } from "@/server/admin/roles";
import { Forbidden } from "@/components/forbidden";
import { EditApplicationForm } from "@/components/edit-application-form";
import { ApplicationActions } from "@/components/application-actions";
import { ClientGrantsEditor, ClientGrantsFacts } from "@/components/client-grants-editor";
import { getApplicationClientGrants } from "@/server/admin/client-grants/get-application-client-grants";

export default async function ApplicationPage({ params }: { params: Promise<{ clientId: string }> }) {
  const admin = await getPageAdmin("config:read");
  if (!admin) return <Forbidden />;
  const clientId = decodeURIComponent((await params).clientId);
  const deps = await getDeps();
  const app = await getApplication(deps, admin, clientId);
  if (!app) notFound();
  const grants = (await getApplicationClientGrants(deps, admin, app.client_id)) ?? [];
  const noApis =
    app.settings.token_endpoint_auth_method === "none"
      ? "A public application cannot use client_credentials."
      : "There are no APIs.";
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
      <h2>API access (machine to machine)</h2>
      <p>The APIs this application may get client_credentials tokens for, and with which scopes.</p>
      {canWrite ? (
        <ClientGrantsEditor rows={grants} empty={noApis} />
      ) : (
        <ClientGrantsFacts rows={grants} empty="This application may not get client_credentials tokens." />
      )}
    </section>
  );
}
