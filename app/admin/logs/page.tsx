import Link from "next/link";
import { getDeps } from "@/server/config/deps";
import { getLogsPage } from "@/server/admin/views";
import { getPageAdmin } from "@/server/admin/session";
import { Forbidden } from "@/components/forbidden";
import { LogTable } from "@/components/log-table";
import { LogTypeSelect } from "@/components/log-type-select";
import { LogEventLabel } from "@/components/log-event-label";
import styles from "@/components/log-styles.module.css";

const FILTERS = [
  { name: "user", label: "User (id or name)" },
  { name: "ip", label: "IP address" },
  { name: "client", label: "Application (client ID)" },
  { name: "connection", label: "Connection name" },
  { name: "from", label: "From (UTC)", type: "datetime-local" },
  { name: "to", label: "To (UTC)", type: "datetime-local" },
] as const;

// A datetime-local input only shows "YYYY-MM-DDTHH:mm[:ss]"; a shared link may carry a full ISO time instead.
const asLocalInput = (v: string | undefined) => {
  if (!v) return "";
  const d = new Date(/Z|[+-]\d\d:\d\d$/.test(v) ? v : `${v}Z`);
  return Number.isNaN(d.getTime()) ? "" : d.toISOString().slice(0, 19);
};

export default async function LogsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const admin = await getPageAdmin("logs:read");
  if (!admin) return <Forbidden />;
  const q = await searchParams;
  const { rows, nextBefore, groups, type, now } = await getLogsPage(await getDeps(), admin, q);
  const query = new URLSearchParams(
    Object.entries(q).filter(
      (e): e is [string, string] => typeof e[1] === "string" && e[1] !== "" && e[0] !== "before",
    ),
  );
  const withParams = (extra: Record<string, string>) =>
    `?${new URLSearchParams({ ...Object.fromEntries(query), ...extra })}`;
  const isFiltered = query.size > 0;
  return (
    <section>
      <h1>Logs</h1>
      <form method="get" className={styles.filters} aria-label="Filter logs">
        <label>
          Event type
          <LogTypeSelect groups={groups} value={q.type} />
        </label>
        {FILTERS.map((f) => (
          <label key={f.name}>
            {f.label}
            <input
              name={f.name}
              type={"type" in f ? f.type : "text"}
              step={"type" in f ? 1 : undefined}
              defaultValue={"type" in f ? asLocalInput(q[f.name]) : (q[f.name] ?? "")}
            />
          </label>
        ))}
        <button type="submit">Filter</button>
        {isFiltered && <Link href="/admin/logs">Clear filters</Link>}
      </form>
      {type && (
        <p className={styles.current}>
          Showing <LogEventLabel event={type} />
          <br />
          <span className="hint">{type.description}</span>
        </p>
      )}
      <p>
        Export this selection:{" "}
        <a href={`/api/admin/logs/export${withParams({ format: "ndjson" })}`}>NDJSON</a> ·{" "}
        <a href={`/api/admin/logs/export${withParams({ format: "csv" })}`}>CSV</a>
      </p>
      {rows.length === 0 ? (
        <p className="empty">{isFiltered ? "No log records match this filter." : "No log records yet."}</p>
      ) : (
        <LogTable rows={rows} now={now} />
      )}
      {nextBefore && (
        <p>
          <Link href={withParams({ before: nextBefore })}>Older records →</Link>
        </p>
      )}
    </section>
  );
}
