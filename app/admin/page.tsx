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
  return (
    <section>
      <h1>Overview</h1>
      <h2>Last 24 hours</h2>
      <div className="cards">
        <div className="card stat-ok" data-testid="logins-succeeded">
          <strong className="stat">{o.succeeded}</strong>
          <div>logins succeeded</div>
        </div>
        <div className="card stat-fail" data-testid="logins-failed">
          <strong className="stat">{o.failed}</strong>
          <div>failed</div>
        </div>
        <div className="card stat-block" data-testid="logins-blocked">
          <strong className="stat">{o.blocked}</strong>
          <div>blocked</div>
        </div>
      </div>
      <OutcomeChart hours={o.hours} />
      <div className="columns">
        <div>
          <h2>Top failing IPs</h2>
          {o.topIps.length === 0 ? (
            <p className="empty">No failed logins.</p>
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
            <p className="empty">No failed logins.</p>
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
        <p className="empty">No events yet. Make a password grant and it appears here.</p>
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
