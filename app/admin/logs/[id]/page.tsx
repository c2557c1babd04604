import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { getDeps } from "@/server/config/deps";
import { getLogDetail } from "@/server/admin/views";
import { getPageAdmin } from "@/server/admin/session";
import { Forbidden } from "@/components/forbidden";
import { LogEventLabel } from "@/components/log-event-label";
import { LogTime } from "@/components/log-time";
import { LogClientLink, LogConnectionLink, LogIpLink, LogUserLink } from "@/components/log-links";
import { LogRelatedList } from "@/components/log-related-list";
import styles from "@/components/log-styles.module.css";

export default async function LogDetailPage({ params }: { params: Promise<{ id: string }> }) {
  const admin = await getPageAdmin("logs:read");
  if (!admin) return <Forbidden />;
  const { id } = await params;
  const detail = await getLogDetail(await getDeps(), admin, id);
  if (!detail) notFound();
  const { record: r, related, window, now } = detail;
  const { event: _named, ...raw } = r;
  // Every field in plain words, in the order a reader asks: what, when, who, from where, with what.
  const fields: [string, ReactNode][] = [
    ["Event", <LogEventLabel key="e" event={r.event} />],
    ["What the event means", r.event.description],
    ["What happened", r.description],
    ["When", <LogTime key="t" at={r.date} now={now} />],
    ["User", r.user_id || r.user_name ? <LogUserLink r={r} /> : undefined],
    ["User id", r.user_id ? <code>{r.user_id}</code> : undefined],
    ["Application", r.client_id || r.client_name ? <LogClientLink r={r} /> : undefined],
    ["Connection", r.connection || r.connection_id ? <LogConnectionLink r={r} /> : undefined],
    ["Login method (strategy)", r.strategy],
    ["IP address of the user", r.ip ? <LogIpLink ip={r.ip} /> : undefined],
    ["IP address that connected (proxy or server)", r.client_ip],
    ["Browser or client (user agent)", r.user_agent],
    ["Host name", r.hostname],
    ["API requested (audience)", r.audience],
    ["Scopes requested", r.scope],
    ["Log id", <code key="id">{r.log_id}</code>],
  ];
  const hasDetails = r.details && Object.keys(r.details).length > 0;
  return (
    <section>
      <p>
        <Link href="/admin/logs">← Logs</Link>
      </p>
      <h1>
        Log record: {r.event.name} <code className={styles.code}>{r.type}</code>
      </h1>
      <dl className="facts">
        {fields
          .filter(([, v]) => v !== undefined && v !== null && v !== "")
          .map(([label, v]) => (
            <div key={label} style={{ display: "contents" }}>
              <dt>{label}</dt>
              <dd>{v}</dd>
            </div>
          ))}
      </dl>
      <h2>Details</h2>
      {hasDetails ? (
        <pre className="json-view" aria-label="Details (JSON)">
          {JSON.stringify(r.details, null, 2)}
        </pre>
      ) : (
        <p className="empty">This record has no details.</p>
      )}
      <h2>Related records</h2>
      <p className="hint">
        Between {window.from.slice(11, 19)} and {window.to.slice(11, 19)} UTC (10 minutes either side of this
        one).
      </p>
      <div className={styles.related}>
        <LogRelatedList
          title="Same user"
          related={related.user}
          at={r.date}
          window={window}
          none="This record names no user."
        />
        <LogRelatedList
          title="Same IP address"
          related={related.ip}
          at={r.date}
          window={window}
          none="This record has no IP address."
        />
      </div>
      <details style={{ marginTop: "1.5rem" }}>
        <summary>The whole record as JSON (Auth0&apos;s field names)</summary>
        <pre className="json-view">{JSON.stringify(raw, null, 2)}</pre>
      </details>
    </section>
  );
}
