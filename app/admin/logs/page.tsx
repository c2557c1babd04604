import Link from "next/link";
import { getDeps } from "@/server/config/deps";
import { getLogsPage } from "@/server/admin/views";
import { getPageAdmin } from "@/server/admin/session";
import { Forbidden } from "@/components/forbidden";

const FILTERS = [
  { name: "user", label: "User (id or name)" },
  { name: "ip", label: "IP" },
  { name: "client", label: "Client ID" },
  { name: "connection", label: "Connection" },
  { name: "from", label: "From", type: "datetime-local" },
  { name: "to", label: "To", type: "datetime-local" },
] as const;

export default async function LogsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const admin = await getPageAdmin("logs:read");
  if (!admin) return <Forbidden />;
  const q = await searchParams;
  const { rows, nextBefore, types } = await getLogsPage(await getDeps(), admin, q);
  const query = new URLSearchParams(
    Object.entries(q).filter((e): e is [string, string] => Boolean(e[1]) && e[0] !== "before"),
  );
  const withParams = (extra: Record<string, string>) =>
    `?${new URLSearchParams({ ...Object.fromEntries(query), ...extra })}`;
  return (
    <section>
      <h1>Logs</h1>
      <form method="get" style={{ display: "flex", flexWrap: "wrap", gap: "0.75rem", alignItems: "end" }}>
        <label>
          Event type
          <select name="type" defaultValue={q.type ?? ""} style={{ display: "block" }}>
            <option value="">Any</option>
            {Object.entries(types).map(([code, text]) => (
              <option key={code} value={code}>
                {code} — {text}
              </option>
            ))}
          </select>
        </label>
        {FILTERS.map((f) => (
          <label key={f.name}>
            {f.label}
            <input
              name={f.name}
              type={"type" in f ? f.type : "text"}
              defaultValue={q[f.name] ?? ""}
              style={{ display: "block" }}
            />
          </label>
        ))}
        <button type="submit">Filter</button>
      </form>
      <p>
        Export this selection:{" "}
        <a href={`/api/admin/logs/export${withParams({ format: "ndjson" })}`}>NDJSON</a> ·{" "}
        <a href={`/api/admin/logs/export${withParams({ format: "csv" })}`}>CSV</a>
      </p>
      {rows.length === 0 ? (
        <p>No log records match.</p>
      ) : (
        <div style={{ overflowX: "auto" }}>
          <table style={{ borderCollapse: "collapse", width: "100%" }}>
            <thead>
              <tr style={{ textAlign: "left" }}>
                <th>Date</th>
                <th>Type</th>
                <th>Description</th>
                <th>User</th>
                <th>Client</th>
                <th>Connection</th>
                <th>IP</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.log_id} style={{ borderTop: "1px solid #eee" }}>
                  <td>
                    <Link href={`/admin/logs/${r.log_id}`}>{r.date}</Link>
                  </td>
                  <td>{r.type}</td>
                  <td>{r.description || "—"}</td>
                  <td>{r.user_name ?? r.user_id ?? "—"}</td>
                  <td>{r.client_name ?? r.client_id ?? "—"}</td>
                  <td>{r.connection ?? "—"}</td>
                  <td>{r.ip ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {nextBefore && (
        <p>
          <Link href={withParams({ before: nextBefore })}>Older records →</Link>
        </p>
      )}
    </section>
  );
}
