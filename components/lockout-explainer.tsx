import Link from "next/link";
import {
  describeCause,
  describeState,
  recordTime,
  type TLockoutAction,
  type TLockoutCause,
  type TLockoutCauseKind,
  type TLockoutExplanation,
  type TLockoutLift,
} from "@/server/admin/lockout/describe-lockout";
import { UnblockButton } from "./protection-controls";
import { BlockUserButton } from "./block-user-button";
import { ResetMfaButton } from "./reset-mfa-button";
import styles from "./lockout-explainer.module.css";

const KIND_NAMES: Record<TLockoutCauseKind, string> = {
  "brute-force": "Too many wrong passwords",
  "ip-throttle": "Suspicious-IP throttling",
  "admin-block": "Blocked by an admin",
  "breached-password": "Breached password",
  "mfa-throttle": "Too many wrong MFA codes",
};

const STATE_LABELS = { clear: "Clear", blocked: "Blocked", "at-risk": "At risk" } as const;

/** More at-risk causes than this are folded under one summary line. */
const FOLD_AFTER = 2;

/** One line for folded at-risk causes: how many, and the closest any of them is to its threshold. */
function foldedSummary(causes: TLockoutCause[], isMore: boolean): string {
  const closest = causes
    .filter((c) => typeof c.count === "number" && typeof c.threshold === "number")
    .sort((a, b) => b.count! / b.threshold! - a.count! / a.threshold!)[0];
  const near = closest ? `; the closest is at ${closest.count} of ${closest.threshold}` : "";
  return `${causes.length} ${isMore ? "more " : ""}sources are counting towards a block${near}`;
}

/** The one-click button for a lift, when there is one and the admin's role may take it. */
function LiftButton({ lift, userId }: { lift: TLockoutLift; userId: string }) {
  switch (lift.kind) {
    case "admin-unblock":
      return <UnblockButton kind="identifier" value={lift.identifier} />;
    case "admin-unblock-ip":
      return <UnblockButton kind="ip" value={lift.ip} />;
    case "admin-unblock-user":
      return <BlockUserButton userId={userId} blocked />;
    case "mfa-reset":
      return <ResetMfaButton userId={userId} />;
    default:
      // Password changes have their own forms on this screen; the others are not an admin's click.
      return null;
  }
}

function Cause({
  cause,
  now,
  userId,
  allowed,
}: {
  cause: TLockoutCause;
  now: Date;
  userId: string;
  allowed: ReadonlySet<TLockoutAction>;
}) {
  const buttons = cause.lifts.filter((l) => l.action !== null && allowed.has(l.action));
  const hasPasswordLift = buttons.some((l) => l.kind === "password-reset" || l.kind === "admin-set-password");
  return (
    <li
      className={`${styles.cause} ${cause.state === "blocked" ? styles.blocked : styles.atRisk}`}
      data-testid={`lockout-cause-${cause.kind}`}
    >
      <h3>
        <span className={styles.badge}>{STATE_LABELS[cause.state]}</span>
        {KIND_NAMES[cause.kind]}
      </h3>
      <p>{describeCause(cause, now)}</p>
      {buttons.length > 0 && (
        <div className={styles.actions}>
          {buttons.map((l) => (
            <LiftButton key={`${l.kind}-${"ip" in l ? l.ip : ""}`} lift={l} userId={userId} />
          ))}
          {hasPasswordLift && (
            <span className="hint">A new password (see Password below) also lifts it.</span>
          )}
        </div>
      )}
      {cause.records.length > 0 && (
        <details>
          <summary>
            {cause.records.length} log record{cause.records.length === 1 ? "" : "s"} behind it
          </summary>
          <ol className={styles.records}>
            {cause.records.map((id) => (
              <li key={id}>
                <Link href={`/admin/logs/${encodeURIComponent(id)}`}>{recordTime(id) ?? id}</Link>{" "}
                <code className="hint">{id}</code>
              </li>
            ))}
          </ol>
        </details>
      )}
    </li>
  );
}

/**
 * The user screen's "Sign-in status": whether anything stops the user from signing in, why, the records behind
 * it and the one-click lifts the admin's role allows. Rendered on the server (times are relative to `now`); each
 * button refreshes the page, which explains the new state.
 */
export function LockoutExplainer({
  explanation,
  now,
  userId,
  allowed,
}: {
  explanation: TLockoutExplanation;
  /** The server's time of the explanation (ISO), so relative times match it. */
  now: string;
  userId: string;
  /** The role actions the signed-in admin may take. */
  allowed: readonly TLockoutAction[];
}) {
  const at = new Date(now);
  const allowedSet = new Set(allowed);
  // Everything that blocks is shown; a handful of at-risk causes too. A user sprayed from many addresses has one
  // at-risk cause per address: past FOLD_AFTER they are folded under one line, so the blocks stay in view.
  const blocking = explanation.causes.filter((c) => c.state === "blocked");
  const atRisk = explanation.causes.filter((c) => c.state !== "blocked");
  const shown = atRisk.length > FOLD_AFTER ? blocking : explanation.causes;
  const folded = atRisk.length > FOLD_AFTER ? atRisk : [];
  const stateClass =
    explanation.state === "blocked"
      ? styles.blocked
      : explanation.state === "at-risk"
        ? styles.atRisk
        : styles.clear;
  return (
    <section className={styles.explainer} aria-labelledby="sign-in-status">
      <h2 id="sign-in-status">Sign-in status</h2>
      <p className={`${styles.state} ${stateClass}`} data-testid="lockout-state">
        <span className={styles.badge}>{STATE_LABELS[explanation.state]}</span>
        {describeState(explanation.state)}
      </p>
      {shown.length > 0 && (
        <ul className={styles.causes} aria-label="Causes">
          {shown.map((c, i) => (
            <Cause
              key={`${c.kind}-${c.ip ?? ""}-${i}`}
              cause={c}
              now={at}
              userId={userId}
              allowed={allowedSet}
            />
          ))}
        </ul>
      )}
      {folded.length > 0 && (
        <details className={styles.folded}>
          <summary>{foldedSummary(folded, shown.length > 0)}</summary>
          <ul className={styles.causes} aria-label="Causes at risk">
            {folded.map((c, i) => (
              <Cause
                key={`${c.kind}-${c.ip ?? ""}-${i}`}
                cause={c}
                now={at}
                userId={userId}
                allowed={allowedSet}
              />
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
