import Link from "next/link";
import { notFound } from "next/navigation";
import { getDeps } from "@/server/config/deps";
import { getApi } from "@/server/admin/get-api";
import { getPageAdmin } from "@/server/admin/session";
import { canPerform } from "@/server/admin/roles";
import { Forbidden } from "@/components/forbidden";
import { EditApiForm } from "@/components/edit-api-form";

export default async function ApiPage({ params }: { params: Promise<{ id: string }> }) {
  const admin = await getPageAdmin("config:read");
  if (!admin) return <Forbidden />;
  const api = await getApi(await getDeps(), admin, decodeURIComponent((await params).id));
  if (!api) notFound();
  return (
    <section>
      <p>
        <Link href="/admin/apis">← APIs</Link>
      </p>
      <h1>{api.name}</h1>
      {canPerform(admin.role, "config:write") ? (
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
    </section>
  );
}
