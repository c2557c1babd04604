import Link from "next/link";
import { getDeps } from "@/server/config/deps";
import { getConnectionsView } from "@/server/admin/directory";
import { getPageAdmin } from "@/server/admin/session";
import { canPerform } from "@/server/admin/roles";
import { Forbidden } from "@/components/forbidden";
import { CreateConnectionForm, MakeDefaultButton } from "@/components/connection-forms";

export default async function ConnectionsPage() {
  const admin = await getPageAdmin("config:read");
  if (!admin) return <Forbidden />;
  const view = await getConnectionsView(await getDeps(), admin);
  const canWrite = canPerform(admin.role, "config:write");
  return (
    <section>
      <h1>Connections</h1>
      <p>Each connection is a user directory; its name is the realm of the password-realm grant.</p>
      {canWrite && <CreateConnectionForm clients={view.clients} />}
      {view.connections.length === 0 ? (
        <p className="empty">
          No connections yet. {canWrite ? "Create one above" : "An admin can create one"}; users log in
          through a connection.
        </p>
      ) : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Name (realm)</th>
                <th scope="col">ID</th>
                <th scope="col">Applications</th>
                <th scope="col">Default directory</th>
              </tr>
            </thead>
            <tbody>
              {view.connections.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link href={`/admin/connections/${encodeURIComponent(c.id)}`}>{c.name}</Link>
                  </td>
                  <td>
                    <code>{c.id}</code>
                  </td>
                  <td>{c.enabledClients.join(", ") || "—"}</td>
                  <td>
                    {view.defaultDirectory === c.name ? (
                      <strong>default</strong>
                    ) : canWrite ? (
                      <MakeDefaultButton name={c.name} />
                    ) : (
                      "—"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
