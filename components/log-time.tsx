import { formatRelativeTime } from "./log-relative-time";
import styles from "./log-styles.module.css";

/** "2026-06-01 12:00:00 UTC" from an ISO time (the dashboard shows every time in UTC). */
export function formatUtc(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** A record's time as "3 min ago" (from `now`, the time the page was read) above the exact UTC time. */
export function LogTime({ at, now }: { at: string; now: string }) {
  return (
    <span className={styles.when}>
      <span>{formatRelativeTime(at, now)}</span>
      <time dateTime={at} className={styles.absolute}>
        {formatUtc(at)}
      </time>
    </span>
  );
}
