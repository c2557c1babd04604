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
        <p>
          No applications yet. Import a tenant file with <code>npx portcullis import tenant.yaml</code>.
        </p>
      ) : (
        <div style={{ overflowX: "auto" }}>
          <table style={{ borderCollapse: "collapse", width: "100%" }}>
            <thead>
              <tr style={{ textAlign: "left" }}>
                <th>Name</th>
                <th>Client ID</th>
                <th>Type</th>
                <th>First party</th>
                <th>Auth method</th>
                <th>Grants</th>
                <th>Connections</th>
                {canWrite && <th>Actions</th>}
              </tr>
            </thead>
            <tbody>
              {apps.map((a) => (
                <tr key={a.clientId} style={{ borderTop: "1px solid #eee" }}>
                  <td>
                    <Link href={`/admin/applications/${encodeURIComponent(a.clientId)}`}>{a.name}</Link>
                  </td>
                  <td>
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
