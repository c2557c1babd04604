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
      <form method="get" className="toolbar">
        <label>
          Email, username or user id
          <input name="q" defaultValue={q ?? ""} className="block" />
        </label>
        <label>
          Connection
          <select name="connection" defaultValue={connection ?? ""} className="block">
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
          <table>
            <thead>
              <tr>
                <th scope="col">Email / username</th>
                <th scope="col">Connection</th>
                <th scope="col" className="num">
                  Logins
                </th>
                <th scope="col">Last login</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.user_id}>
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
