import Link from "next/link";
import type {
  TAttackView,
  TMfaTarget,
  TTopIdentifier,
  TTopSource,
} from "@/server/admin/attack-view/get-attack-view";
import type { TAttackViewRange } from "@/server/admin/attack-view/attack-view-range";
import { AttackViewChart } from "./attack-view-chart";
import { UnblockButton } from "./protection-controls";
import styles from "./attack-view.module.css";

/** How a range reads in a sentence ("No failed logins in the last hour"). */
const LABELS: Record<TAttackViewRange, string> = {
  hour: "the last hour",
  day: "the last 24 hours",
  "14d": "the last 14 days",
};

const RANGE_LINKS: { range: TAttackViewRange; text: string }[] = [
  { range: "hour", text: "Last hour" },
  { range: "day", text: "Last day" },
  { range: "14d", text: "Last 14 days" },
];

const n = (v: number) => v.toLocaleString("en");
/** A time as the logs screen shows it: UTC, to the second. */
const at = (iso: string) => `${iso.slice(0, 19).replace("T", " ")} UTC`;
const logsLink = (param: "user" | "ip", value: string) =>
  `/admin/logs?${new URLSearchParams({ [param]: value })}`;

/** One sentence that says what the chart shows, for its caption. */
function summaryOf(view: TAttackView): string {
  const { failed, blocked, throttled, mfa } = view.totals;
  const label = LABELS[view.range];
  if (failed + blocked + throttled + mfa === 0)
    return `No failed logins, blocks, throttles or failed second factors in ${label}.`;
  const peak = view.buckets.reduce((best, b) => (b.failed > best.failed ? b : best), view.buckets[0]!);
  return (
    `${n(failed)} failed logins, ${n(blocked)} refused by brute-force blocks, ${n(throttled)} by IP throttling and ${n(mfa)} failed second factors (MFA) in ${label}` +
    (peak.failed > 0 ? `; most failures (${n(peak.failed)}) in the period starting ${at(peak.start)}.` : ".")
  );
}

/**
 * The attack view, first section of the Attack protection screen: failures, blocks, throttles and failed second
 * factors over time, the most attacked identifiers and the top sources with what stands against them now, the users
 * whose second factor failed most, and breached-password hits.
 */
export function AttackView({ view, canUnblock }: { view: TAttackView; canUnblock: boolean }) {
  const label = LABELS[view.range];
  return (
    <section className={styles.view} aria-labelledby="attack-view-heading" data-testid="attack-view">
      <h2 id="attack-view-heading">Attack view</h2>
      <nav aria-label="Attack view period">
        <ul className={styles.ranges}>
          {RANGE_LINKS.map((r) => (
            <li key={r.range}>
              <Link
                href={`/admin/attack-protection?range=${r.range}`}
                aria-current={r.range === view.range ? "page" : undefined}
              >
                {r.text}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <dl className={styles.totals} aria-label={`Totals for ${label}`}>
        <div>
          <dt>Failed logins</dt>
          <dd data-testid="attack-total-failed">{n(view.totals.failed)}</dd>
        </div>
        <div>
          <dt>Refused by blocks</dt>
          <dd>{n(view.totals.blocked)}</dd>
        </div>
        <div>
          <dt>Refused by IP throttling</dt>
          <dd>{n(view.totals.throttled)}</dd>
        </div>
        <div>
          <dt>Failed second factors (MFA)</dt>
          <dd data-testid="attack-total-mfa">{n(view.totals.mfa)}</dd>
        </div>
        <div>
          <dt>Breached-password hits</dt>
          <dd>{n(view.totals.breached)}</dd>
        </div>
      </dl>
      {(!view.enforced.brute_force || !view.enforced.suspicious_ip) && (
        <p className="hint">
          {!view.enforced.brute_force &&
            "Brute-force protection is off or monitoring only: its blocks refuse nothing. "}
          {!view.enforced.suspicious_ip &&
            "Suspicious-IP throttling is off or monitoring only: it refuses nothing."}
        </p>
      )}
      <AttackViewChart buckets={view.buckets} bucketMs={view.bucket_ms} summary={summaryOf(view)} />
      <div className={styles.tops}>
        <IdentifiersTable rows={view.top_identifiers} label={label} canUnblock={canUnblock} />
        <SourcesTable
          rows={view.top_sources}
          label={label}
          canUnblock={canUnblock}
          prefix={view.ipv6_prefix_length}
        />
        <MfaUsersTable rows={view.top_mfa_users} label={label} />
      </div>
      <section aria-labelledby="breached-heading">
        <h3 id="breached-heading">Breached-password hits</h3>
        {view.breached.latest ? (
          <p data-testid="breached-hits">
            {n(view.breached.count)} login, signup or reset attempt{view.breached.count === 1 ? "" : "s"} with
            a password known from a breach in {label}. Latest: {at(view.breached.latest.date)}
            {view.breached.latest.user_name && (
              <>
                {" "}
                for{" "}
                <Link href={logsLink("user", view.breached.latest.user_name)}>
                  {view.breached.latest.user_name}
                </Link>
              </>
            )}{" "}
            (<Link href={`/admin/logs/${encodeURIComponent(view.breached.latest.log_id)}`}>log record</Link>).
          </p>
        ) : (
          <p className="empty">No breached passwords were used in {label}.</p>
        )}
      </section>
    </section>
  );
}

function StateOf({ blocked, text }: { blocked: boolean; text: string }) {
  return (
    <span className={`${styles.state} ${blocked ? styles.stateBlocked : styles.stateClear}`}>{text}</span>
  );
}

function IdentifiersTable({
  rows,
  label,
  canUnblock,
}: {
  rows: TTopIdentifier[];
  label: string;
  canUnblock: boolean;
}) {
  return (
    <section aria-labelledby="top-identifiers-heading">
      <h3 id="top-identifiers-heading">Most attacked identifiers</h3>
      {rows.length === 0 ? (
        <p className="empty">No failed logins in {label}.</p>
      ) : (
        <div className="table-scroll">
          <table data-testid="top-identifiers">
            <thead>
              <tr>
                <th scope="col">Identifier</th>
                <th scope="col">Failed logins</th>
                <th scope="col">Last failure</th>
                <th scope="col">State now</th>
                {canUnblock && <th scope="col">Action</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.identifier}>
                  <th scope="row" className="wrap-anywhere">
                    <Link href={logsLink("user", r.identifier)}>{r.identifier}</Link>
                  </th>
                  <td className={styles.num}>{n(r.failures)}</td>
                  <td className={styles.time}>{at(r.last_failure)}</td>
                  <td>
                    {r.blocked ? (
                      <StateOf
                        blocked
                        text={`Blocked from ${r.blocks.length} ${r.blocks.length === 1 ? "source" : "sources"} until ${at(r.blocked_until!)}`}
                      />
                    ) : (
                      <StateOf blocked={false} text="Not blocked" />
                    )}
                  </td>
                  {canUnblock && (
                    <td>{r.blocked && <UnblockButton kind="identifier" value={r.identifier} />}</td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The users whose second factor failed most: their page (when known) and their records on the Logs screen. */
function MfaUsersTable({ rows, label }: { rows: TMfaTarget[]; label: string }) {
  return (
    <section aria-labelledby="mfa-users-heading">
      <h3 id="mfa-users-heading">Second-factor failures by user</h3>
      <p className="hint">
        Wrong or throttled one-time and recovery codes: the password was right, so it may be known to an
        attacker.
      </p>
      {rows.length === 0 ? (
        <p className="empty">No failed second factors in {label}.</p>
      ) : (
        <div className="table-scroll">
          <table data-testid="top-mfa-users">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">MFA failures</th>
                <th scope="col">Last failure</th>
                <th scope="col">Records</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.user_name}>
                  <th scope="row" className="wrap-anywhere">
                    {r.user_id ? (
                      <Link href={`/admin/users/${encodeURIComponent(r.user_id)}`}>{r.user_name}</Link>
                    ) : (
                      r.user_name
                    )}
                  </th>
                  <td className={styles.num}>{n(r.failures)}</td>
                  <td className={styles.time}>{at(r.last_failure)}</td>
                  <td>
                    <Link
                      href={logsLink("user", r.user_id ?? r.user_name)}
                      aria-label={`Logs of ${r.user_name}`}
                    >
                      Logs
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function sourceState(r: TTopSource): string {
  const parts: string[] = [];
  if (r.throttled) parts.push(`Throttled until ${at(r.throttled_until!)}`);
  if (r.blocks.length > 0)
    parts.push(`${r.blocks.length} identifier block${r.blocks.length === 1 ? "" : "s"} from here`);
  return parts.length > 0 ? parts.join("; ") : "Not blocked";
}

function SourcesTable({
  rows,
  label,
  canUnblock,
  prefix,
}: {
  rows: TTopSource[];
  label: string;
  canUnblock: boolean;
  prefix: number;
}) {
  return (
    <section aria-labelledby="top-sources-heading">
      <h3 id="top-sources-heading">Top sources</h3>
      <p className="hint">IPv6 addresses are grouped by /{prefix} network, as the protection counts them.</p>
      {rows.length === 0 ? (
        <p className="empty">No failed logins in {label}.</p>
      ) : (
        <div className="table-scroll">
          <table data-testid="top-sources">
            <thead>
              <tr>
                <th scope="col">IP or network</th>
                <th scope="col">Failed logins</th>
                <th scope="col">Last failure</th>
                <th scope="col">State now</th>
                {canUnblock && <th scope="col">Action</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const isBlocked = r.throttled || r.blocks.length > 0;
                return (
                  <tr key={r.source}>
                    <th scope="row" className="wrap-anywhere">
                      {r.kind === "ipv4" ? <Link href={logsLink("ip", r.source)}>{r.source}</Link> : r.source}
                      {r.kind === "ipv6_network" && (
                        <span className="hint">
                          {" "}
                          ({n(r.addresses)}
                          {r.is_addresses_exact ? "" : "+"} address{r.addresses === 1 ? "" : "es"})
                        </span>
                      )}
                    </th>
                    <td className={styles.num}>{n(r.failures)}</td>
                    <td className={styles.time}>{at(r.last_failure)}</td>
                    <td>
                      <StateOf blocked={isBlocked} text={sourceState(r)} />
                    </td>
                    {canUnblock && (
                      <td>
                        {isBlocked && r.kind !== "unknown" && <UnblockButton kind="ip" value={r.source} />}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
