import Link from "next/link";
import { notFound } from "next/navigation";
import { getDeps } from "@/server/config/deps";
import { getApi } from "@/server/admin/get-api";
import { getPageAdmin } from "@/server/admin/session";
import { canPerform } from "@/server/admin/roles";
import { Forbidden } from "@/components/forbidden";
import { EditApiForm } from "@/components/edit-api-form";
import { ClientGrantsEditor, ClientGrantsFacts } from "@/components/client-grants-editor";
import { getApiClientGrants } from "@/server/admin/client-grants/get-api-client-grants";

export default async function ApiPage({ params }: { params: Promise<{ id: string }> }) {
  const admin = await getPageAdmin("config:read");
  if (!admin) return <Forbidden />;
  const deps = await getDeps();
  const api = await getApi(deps, admin, decodeURIComponent((await params).id));
  if (!api) notFound();
  const grants = (await getApiClientGrants(deps, admin, api.identifier)) ?? [];
  const noGrants = "No application may get client_credentials tokens for this API.";
  return (
    <section>
      <p>
        <Link href="/admin/apis">← APIs</Link>
      </p>
      <h1>{api.name}</h1>
      {api.isSystem && (
        <p>
          Built in: Auth0&apos;s Management API (<code>/api/v2</code>) for this server. Grant an application
          scopes below and it can call it with a client_credentials token, as node-auth0&apos;s{" "}
          <code>ManagementClient</code> does. See docs/management-api.md.
        </p>
      )}
      {canPerform(admin.role, "config:write") && !api.isSystem ? (
        <EditApiForm {...api} />
      ) : (
        <dl className="facts">
          <dt>Identifier (audience)</dt>
          <dd>
            <code>{api.identifier}</code>
          </dd>
          <dt>Scopes</dt>
          <dd>{api.scopes.map((s) => s.value).join(" ") || "none"}</dd>
          <dt>Token lifetime</dt>
          <dd>{api.tokenLifetime} s</dd>
          <dt>Signing algorithm</dt>
          <dd>{api.signingAlg}</dd>
          <dt>Offline access</dt>
          <dd>{api.allowOfflineAccess ? "allowed" : "no"}</dd>
        </dl>
      )}
      <h2>Machine-to-machine applications</h2>
      <p>Which applications may get client_credentials tokens for this API, and with which scopes.</p>
      {canPerform(admin.role, "config:write") ? (
        <ClientGrantsEditor rows={grants} empty="There are no confidential applications." />
      ) : (
        <ClientGrantsFacts rows={grants} empty={noGrants} />
      )}
    </section>
  );
}
