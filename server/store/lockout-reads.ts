import { LOG_EVENT_COLUMNS, logIdFloor, toLogRecord, type TLogRecord } from "./logs.ts";
import { readDate, type TSqlRunner } from "./raw-sql.ts";

// Read-only queries of the lockout explainer (server/admin/lockout): a user's records of given types, the records
// from given addresses, the admin change that blocked a user, the unblock-link mails and the MFA wrong-code bucket.
// Each is one indexed statement; none writes.

const LOG_COLUMNS = LOG_EVENT_COLUMNS.map((c) => `"${c}"`).join(",");
const marks = (n: number) => Array.from({ length: n }, () => "?").join(",");

type TUserLogQuery = { userId: string; userNames: string[]; since: Date; take: number; types?: string[] };

/**
 * A user's records since `since` (of `types`, if given), in `order` of id: those carrying the user id and those
 * naming one of `userNames` (a refused attempt is recorded before the user is looked up, so it carries only the
 * name typed). Two statements, each one range scan of its (userId, id) or (userName, id) index, merged here: one
 * statement with an OR lets a planner fall back to scanning every record since `since`.
 */
async function listUserLogs(q: TSqlRunner, o: TUserLogQuery, order: "ASC" | "DESC"): Promise<TLogRecord[]> {
  if (o.types?.length === 0) return [];
  const typeFilter = o.types ? ` AND "type" IN (${marks(o.types.length)})` : "";
  const run = (who: string, whoParams: string[]) =>
    q.all<Record<string, unknown>>(
      `SELECT ${LOG_COLUMNS} FROM "LogEvent" WHERE ${who} AND "id" >= ?${typeFilter} ORDER BY "id" ${order} LIMIT ?`,
      [...whoParams, logIdFloor(o.since), ...(o.types ?? []), o.take],
    );
  const [byId, byName] = await Promise.all([
    run(`"userId" = ?`, [o.userId]),
    o.userNames.length > 0 ? run(`"userName" IN (${marks(o.userNames.length)})`, o.userNames) : [],
  ]);
  const merged = new Map<string, Record<string, unknown>>();
  for (const r of [...byId, ...byName]) merged.set(String(r.id), r);
  const ids = [...merged.keys()].sort();
  if (order === "DESC") ids.reverse();
  return ids.slice(0, o.take).map((id) => toLogRecord(merged.get(id)!));
}

/** A user's records of `types` since `since`, oldest first (see listUserLogs for which records are the user's). */
export async function listUserLogsSince(
  q: TSqlRunner,
  opts: TUserLogQuery & { types: string[] },
): Promise<TLogRecord[]> {
  return listUserLogs(q, opts, "ASC");
}

/** The newest records of a user (any type) since `since`: where the user signs in and fails from. */
export async function listRecentUserLogs(q: TSqlRunner, opts: TUserLogQuery): Promise<TLogRecord[]> {
  return listUserLogs(q, opts, "DESC");
}

/** Records of `types` from any of `ips` (exact addresses) since `since`, oldest first. */
export async function listIpLogsSince(
  q: TSqlRunner,
  opts: { ips: string[]; types: string[]; since: Date; take: number },
): Promise<TLogRecord[]> {
  if (opts.ips.length === 0 || opts.types.length === 0) return [];
  const rows = await q.all<Record<string, unknown>>(
    `SELECT ${LOG_COLUMNS} FROM "LogEvent" WHERE "ip" IN (${marks(opts.ips.length)}) AND "id" >= ? AND "type" IN (${marks(opts.types.length)}) ORDER BY "id" ASC LIMIT ?`,
    [...opts.ips, logIdFloor(opts.since), ...opts.types, opts.take],
  );
  return rows.map(toLogRecord);
}

/**
 * The newest admin-change records (`sapi`) about one user with one of `actions` (recordAdminChange describes them
 * as "<action> <user id>"), newest first.
 */
export async function listUserAdminChanges(
  q: TSqlRunner,
  userId: string,
  actions: string[],
  take: number,
): Promise<TLogRecord[]> {
  if (actions.length === 0) return [];
  const rows = await q.all<Record<string, unknown>>(
    `SELECT ${LOG_COLUMNS} FROM "LogEvent" WHERE "type" = ? AND "description" IN (${marks(actions.length)}) ORDER BY "id" DESC LIMIT ?`,
    ["sapi", ...actions.map((a) => `${a} ${userId}`), take],
  );
  return rows.map(toLogRecord);
}

export type TMailedNotice = {
  id: string;
  createdAt: Date;
  recipient: string | null;
  status: string;
  /** The stored text (secrets such as unblock tokens were redacted before it was stored). */
  text: string;
};

/** Messages of `kind` to `recipient` created at or after `since`, newest first. */
export async function listMailedNotices(
  q: TSqlRunner,
  opts: { kind: string; recipient: string; since: Date; take: number },
): Promise<TMailedNotice[]> {
  const rows = await q.all<Record<string, unknown>>(
    `SELECT "id","createdAt","recipient","status","text" FROM "Notification" WHERE "createdAt" >= ? AND "kind" = ? AND "recipient" = ? ORDER BY "createdAt" DESC, "id" DESC LIMIT ?`,
    [opts.since, opts.kind, opts.recipient, opts.take],
  );
  return rows.map((r) => ({
    id: String(r.id),
    createdAt: readDate(r.createdAt),
    recipient: r.recipient === null || r.recipient === undefined ? null : String(r.recipient),
    status: String(r.status),
    text: String(r.text),
  }));
}

/** The theoretical arrival time (ms) of a user's MFA wrong-code bucket (`User.id`), or null without one. */
export async function findMfaBucketTat(q: TSqlRunner, userRowId: string): Promise<number | null> {
  const rows = await q.all<{ tatMs: number | string }>(
    `SELECT "tatMs" FROM "MfaThrottle" WHERE "userId" = ?`,
    [userRowId],
  );
  return rows[0] ? Number(rows[0].tatMs) : null;
}
