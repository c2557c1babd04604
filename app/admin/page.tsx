import Link from "next/link";
import { getDeps } from "@/server/config/deps";
import { getOverview } from "@/server/admin/views";
import { getPageAdmin } from "@/server/admin/session";
import { Forbidden } from "@/components/forbidden";
import { OutcomeChart } from "@/components/outcome-chart";

export default async function OverviewPage() {
  const admin = await getPageAdmin("logs:read");
  if (!admin) return <Forbidden />;
  const o = await getOverview(await getDeps(), admin);
  const card = { border: "1px solid #ddd", borderRadius: 8, padding: "1rem" };
  return (
    <section>
      <h1>Overview</h1>
      <h2>Last 24 hours</h2>
      <div
        style={{ display: "grid", gridTemplateColumns: "repeat(auto-fit, minmax(10rem, 1fr))", gap: "1rem" }}
      >
        <div style={card} data-testid="logins-succeeded">
          <strong style={{ fontSize: "2rem" }}>{o.succeeded}</strong>
          <div>logins succeeded</div>
        </div>
        <div style={card} data-testid="logins-failed">
          <strong style={{ fontSize: "2rem" }}>{o.failed}</strong>
          <div>failed</div>
        </div>
        <div style={card} data-testid="logins-blocked">
          <strong style={{ fontSize: "2rem" }}>{o.blocked}</strong>
          <div>blocked</div>
        </div>
      </div>
      <OutcomeChart hours={o.hours} />
      <div
        style={{
          display: "grid",
          gridTemplateColumns: "repeat(auto-fit, minmax(16rem, 1fr))",
          gap: "1.5rem",
        }}
      >
        <div>
          <h2>Top failing IPs</h2>
          {o.topIps.length === 0 ? (
            <p>No failed logins.</p>
          ) : (
            <ol data-testid="top-ips">
              {o.topIps.map((t) => (
                <li key={t.value}>
                  <Link href={`/admin/logs?ip=${encodeURIComponent(t.value)}`}>{t.value}</Link> — {t.n}
                </li>
              ))}
            </ol>
          )}
        </div>
        <div>
          <h2>Top failing users</h2>
          {o.topUsers.length === 0 ? (
            <p>No failed logins.</p>
          ) : (
            <ol data-testid="top-users">
              {o.topUsers.map((t) => (
                <li key={t.value}>
                  <Link href={`/admin/logs?user=${encodeURIComponent(t.value)}`}>{t.value}</Link> — {t.n}
                </li>
              ))}
            </ol>
          )}
        </div>
      </div>
      <h2>Recent events</h2>
      {o.recent.length === 0 ? (
        <p>No events yet. Make a password grant and it appears here.</p>
      ) : (
        <ul>
          {o.recent.map((r) => (
            <li key={r.log_id}>
              <Link href={`/admin/logs/${r.log_id}`}>
                {r.date} · {r.type} · {r.user_name ?? r.user_id ?? "—"} · {r.description || "ok"}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
