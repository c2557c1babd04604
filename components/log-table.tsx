import Link from "next/link";
import type { TLogRow } from "@/server/admin/views";
import { LogEventLabel } from "./log-event-label";
import { LogTime } from "./log-time";
import { LogClientLink, LogConnectionLink, LogIpLink, LogUserLink } from "./log-links";

/**
 * The Logs list: per record its time (relative and UTC, linking to the record), the event's name and code, the
 * record's own description, and links to its user, application, connection and IP.
 */
export function LogTable({ rows, now }: { rows: TLogRow[]; now: string }) {
  return (
    <div className="table-scroll">
      <table>
        <caption className="hint" style={{ textAlign: "left", captionSide: "top" }}>
          Newest first. Times in UTC; hover an event name for Auth0&apos;s description.
        </caption>
        <thead>
          <tr style={{ textAlign: "left" }}>
            <th scope="col">When</th>
            <th scope="col">Event</th>
            <th scope="col">Description</th>
            <th scope="col">User</th>
            <th scope="col">Application</th>
            <th scope="col">Connection</th>
            <th scope="col">IP address</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.log_id} data-type={r.type}>
              <td>
                <Link href={`/admin/logs/${encodeURIComponent(r.log_id)}`}>
                  <LogTime at={r.date} now={now} />
                </Link>
              </td>
              <td>
                <LogEventLabel event={r.event} />
              </td>
              <td className="wrap-anywhere">{r.description || "—"}</td>
              <td className="wrap-anywhere">
                <LogUserLink r={r} />
              </td>
              <td className="wrap-anywhere">
                <LogClientLink r={r} />
              </td>
              <td className="wrap-anywhere">
                <LogConnectionLink r={r} />
              </td>
              <td>
                <LogIpLink ip={r.ip} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
