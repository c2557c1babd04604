import Link from "next/link";
import type { TRelatedLogs } from "@/server/admin/views";
import { LogEventLabel } from "./log-event-label";
import { formatOffset } from "./log-relative-time";
import { formatUtc } from "./log-time";
import { logsFilterHref } from "./log-links";
import styles from "./log-styles.module.css";

/**
 * One list of records related to the one on screen (same user or same IP, ± the window): each names its event,
 * says how long before or after it happened and links to its record; "all of them" opens the Logs screen filtered
 * the same way when the list is cut short.
 */
export function LogRelatedList({
  title,
  related,
  at,
  window,
  none,
}: {
  title: string;
  related: TRelatedLogs | null;
  at: string;
  window: { from: string; to: string };
  none: string;
}) {
  const id = `related-${title.toLowerCase().replace(/[^a-z]+/g, "-")}`;
  const range = { from: window.from.slice(0, 19), to: window.to.slice(0, 19) };
  return (
    <section aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {!related ? (
        <p className="empty">{none}</p>
      ) : related.rows.length === 0 ? (
        <p className="empty">No other records within 10 minutes.</p>
      ) : (
        <>
          <ul className={styles.relatedList}>
            {related.rows.map((r) => (
              <li key={r.log_id}>
                <Link href={`/admin/logs/${encodeURIComponent(r.log_id)}`}>
                  <time dateTime={r.date}>{formatOffset(r.date, at)}</time>
                </Link>
                <LogEventLabel event={r.event} />
                <span className="hint">{formatUtc(r.date)}</span>
              </li>
            ))}
          </ul>
          {related.hasMore && (
            <p>
              <Link href={logsFilterHref({ ...related.filter, ...range })}>All of them in Logs →</Link>
            </p>
          )}
        </>
      )}
    </section>
  );
}
