import Link from "next/link";
import { getDeps } from "@/server/config/deps";
import { getUsersScreen } from "@/server/admin/users";
import { getPageAdmin } from "@/server/admin/session";
import { canPerform } from "@/server/admin/roles";
import { Forbidden } from "@/components/forbidden";
import { CreateUserForm } from "@/components/create-user-form";

export default async function UsersPage({
  searchParams,
}: {
  searchParams: Promise<{ q?: string; connection?: string }>;
}) {
  const admin = await getPageAdmin("users:read");
  if (!admin) return <Forbidden />;
  const { q, connection } = await searchParams;
  const { users, connections } = await getUsersScreen(await getDeps(), admin, { text: q, connection });
  return (
    <section>
      <h1>Users</h1>
      {canPerform(admin.role, "users:write") && <CreateUserForm connections={connections} />}
      <form method="get" style={{ display: "flex", gap: "0.75rem", alignItems: "end", flexWrap: "wrap" }}>
        <label>
          Email, username or user id
          <input name="q" defaultValue={q ?? ""} style={{ display: "block" }} />
        </label>
        <label>
          Connection
          <select name="connection" defaultValue={connection ?? ""} style={{ display: "block" }}>
            <option value="">Any connection</option>
            {connections.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Search</button>
      </form>
      {users.length === 0 ? (
        <p className="empty">{q || connection ? "No users match this search." : "No users yet."}</p>
      ) : (
        <div className="table-scroll">
          <table style={{ borderCollapse: "collapse", width: "100%" }}>
            <thead>
              <tr style={{ textAlign: "left" }}>
                <th>Email / username</th>
                <th>Connection</th>
                <th>Logins</th>
                <th>Last login</th>
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.user_id} style={{ borderTop: "1px solid #eee" }}>
                  <td>
                    <Link href={`/admin/users/${encodeURIComponent(u.user_id)}`}>
                      {u.email ?? u.username}
                    </Link>
                  </td>
                  <td>{u.connection}</td>
                  <td>{u.logins_count}</td>
                  <td>{u.last_login ?? "never"}</td>
                  <td>{u.blocked ? "blocked" : "active"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
