import type { TLogCategory, TLogTypeInfo } from "@/server/audit/log-catalog";
import styles from "./log-styles.module.css";

// A symbol per category so the outcome reads without colour (colour-blind users, printouts).
const SYMBOL: Record<TLogCategory, string> = {
  success: "✓",
  failure: "✗",
  block: "⊘",
  notice: "i",
  admin: "⚙",
};

/**
 * An event type as people read it: its name in a badge styled by category, the code beside it, and Auth0's
 * description on hover (`title`) and for screen readers.
 */
export function LogEventLabel({ event, showCode = true }: { event: TLogTypeInfo; showCode?: boolean }) {
  return (
    <span className={styles.event} data-category={event.category}>
      <span className={`${styles.badge} ${styles[event.category]}`} title={event.description}>
        <span className={styles.symbol} aria-hidden="true">
          {SYMBOL[event.category]}
        </span>
        {event.name}
      </span>
      {showCode && <code className={styles.code}>{event.code}</code>}
      <span className={styles.srOnly}>: {event.description}</span>
    </span>
  );
}
