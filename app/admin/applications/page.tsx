import Link from "next/link";
import { getDeps } from "@/server/config/deps";
import { getApplications } from "@/server/admin/views";
import { getPageAdmin } from "@/server/admin/session";
import { canPerform } from "@/server/admin/roles";
import { Forbidden } from "@/components/forbidden";
import { CreateApplicationForm } from "@/components/create-application-form";
import { ApplicationActions } from "@/components/application-actions";

export default async function ApplicationsPage() {
  const admin = await getPageAdmin("config:read");
  if (!admin) return <Forbidden />;
  const { apps, connections } = await getApplications(await getDeps(), admin);
  const canWrite = canPerform(admin.role, "config:write");
  return (
    <section>
      <h1>Applications</h1>
      {canWrite && <CreateApplicationForm connections={connections} />}
      {apps.length === 0 ? (
        <p className="empty">
          No applications yet. Import a tenant file with <code>npx portcullis import tenant.yaml</code>.
        </p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Client ID</th>
                <th scope="col">Type</th>
                <th scope="col">First party</th>
                <th scope="col">Auth method</th>
                <th scope="col">Grants</th>
                <th scope="col">Connections</th>
                {canWrite && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {apps.map((a) => (
                <tr key={a.clientId}>
                  <td>
                    <Link href={`/admin/applications/${encodeURIComponent(a.clientId)}`}>{a.name}</Link>
                  </td>
                  <td className="wrap-anywhere">
                    <code>{a.clientId}</code>
                  </td>
                  <td>{a.appType}</td>
                  <td>{a.isFirstParty ? "yes" : "no"}</td>
                  <td>{a.tokenEndpointAuthMethod}</td>
                  <td className="wrap-anywhere">{a.grantTypes.join(", ") || "—"}</td>
                  <td>{a.connections.join(", ") || "—"}</td>
                  {canWrite && (
                    <td>
                      <Link
                        href={`/admin/applications/${encodeURIComponent(a.clientId)}`}
                        aria-label={`Edit ${a.name}`}
                      >
                        Edit
                      </Link>{" "}
                      <ApplicationActions
                        clientId={a.clientId}
                        name={a.name}
                        hasSecret={a.tokenEndpointAuthMethod !== "none"}
                      />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
