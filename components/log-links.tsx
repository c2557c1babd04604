import Link from "next/link";
import type { TLogRecord } from "@/server/store/logs";

/** The Logs screen filtered by one field (a fresh, shareable filter). */
export function logsFilterHref(filter: Record<string, string>): string {
  return `/admin/logs?${new URLSearchParams(filter)}`;
}

type TRecordLinks = Pick<
  TLogRecord,
  "user_id" | "user_name" | "client_id" | "client_name" | "connection" | "connection_id" | "ip"
>;

/** The user: their page when the record has a user id, else the name that was tried, as a filter. */
export function LogUserLink({ r }: { r: TRecordLinks }) {
  if (r.user_id)
    return <Link href={`/admin/users/${encodeURIComponent(r.user_id)}`}>{r.user_name ?? r.user_id}</Link>;
  if (r.user_name)
    return (
      <Link href={logsFilterHref({ user: r.user_name })} title="No such user: all records with this name">
        {r.user_name}
      </Link>
    );
  return <>—</>;
}

/** The application's page. */
export function LogClientLink({ r }: { r: TRecordLinks }) {
  if (!r.client_id) return <>{r.client_name ?? "—"}</>;
  return (
    <Link href={`/admin/applications/${encodeURIComponent(r.client_id)}`}>
      {r.client_name ?? r.client_id}
    </Link>
  );
}

/** The connection's page when its id was recorded, else the records of that connection name. */
export function LogConnectionLink({ r }: { r: TRecordLinks }) {
  if (r.connection_id)
    return (
      <Link href={`/admin/connections/${encodeURIComponent(r.connection_id)}`}>
        {r.connection ?? r.connection_id}
      </Link>
    );
  if (r.connection) return <Link href={logsFilterHref({ connection: r.connection })}>{r.connection}</Link>;
  return <>—</>;
}

/** Every record from this IP. */
export function LogIpLink({ ip }: { ip: string | undefined }) {
  if (!ip) return <>—</>;
  return (
    <Link href={logsFilterHref({ ip })} title={`All records from ${ip}`}>
      {ip}
    </Link>
  );
}
