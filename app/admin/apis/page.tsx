import Link from "next/link";
import { getDeps } from "@/server/config/deps";
import { getApisView } from "@/server/admin/directory";
import { getPageAdmin } from "@/server/admin/session";
import { canPerform } from "@/server/admin/roles";
import { Forbidden } from "@/components/forbidden";
import { CreateApiForm } from "@/components/connection-forms";

export default async function ApisPage() {
  const admin = await getPageAdmin("config:read");
  if (!admin) return <Forbidden />;
  const view = await getApisView(await getDeps(), admin);
  return (
    <section>
      <h1>APIs</h1>
      {canPerform(admin.role, "config:write") && <CreateApiForm />}
      {view.apis.length === 0 ? (
        <p className="empty">No APIs yet. Without one, tokens are issued for /userinfo only.</p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Identifier (audience)</th>
                <th scope="col">Scopes</th>
                <th scope="col">Token lifetime</th>
                <th scope="col">Signing</th>
                <th scope="col">Offline access</th>
              </tr>
            </thead>
            <tbody>
              {view.apis.map((a) => (
                <tr key={a.identifier}>
                  <td>
                    <Link href={`/admin/apis/${encodeURIComponent(a.id)}`}>{a.name}</Link>
                    {view.defaultAudience === a.identifier && <strong> (default audience)</strong>}
                    {a.isSystem && <span className="hint"> (built in)</span>}
                  </td>
                  <td className="wrap-anywhere">
                    <code>{a.identifier}</code>
                  </td>
                  <td>{a.scopes.map((s) => s.value).join(" ") || "—"}</td>
                  <td>{a.tokenLifetime} s</td>
                  <td>{a.signingAlg}</td>
                  <td>{a.allowOfflineAccess ? "allowed" : "no"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
