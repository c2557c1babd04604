import { LOG_EVENT_COLUMNS, logIdFloor, toLogRecord, type TLogRecord } from "./logs.ts";
import { readDate, type TSqlRunner, type TSqlValue } from "./raw-sql.ts";

// Read-only queries of the lockout explainer (server/admin/lockout): a user's records of given types, the records
// from given addresses, the admin change that blocked a user, the unblock-link mails and the MFA wrong-code bucket.
// Each is one indexed statement; none writes.

const LOG_COLUMNS = LOG_EVENT_COLUMNS.map((c) => `"${c}"`).join(",");
const marks = (n: number) => Array.from({ length: n }, () => "?").join(",");

/**
 * A user's records of `types` since `since`, oldest first: those carrying the user id and those naming one of
 * `userNames` (a refused attempt is recorded before the user is looked up, so it carries only the name typed).
 */
export async function listUserLogsSince(
  q: TSqlRunner,
  opts: { userId: string; userNames: string[]; types: string[]; since: Date; take: number },
): Promise<TLogRecord[]> {
  if (opts.types.length === 0) return [];
  const params: TSqlValue[] = [logIdFloor(opts.since), ...opts.types, opts.userId];
  let who = `"userId" = ?`;
  if (opts.userNames.length > 0) {
    who = `(${who} OR "userName" IN (${marks(opts.userNames.length)}))`;
    params.push(...opts.userNames);
  }
  params.push(opts.take);
  const rows = await q.all<Record<string, unknown>>(
    `SELECT ${LOG_COLUMNS} FROM "LogEvent" WHERE "id" >= ? AND "type" IN (${marks(opts.types.length)}) AND ${who} ORDER BY "id" ASC LIMIT ?`,
    params,
  );
  return rows.map(toLogRecord);
}

/** The newest records of a user (any type) since `since`: where the user signs in from. */
export async function listRecentUserLogs(
  q: TSqlRunner,
  opts: { userId: string; since: Date; take: number },
): Promise<TLogRecord[]> {
  const rows = await q.all<Record<string, unknown>>(
    `SELECT ${LOG_COLUMNS} FROM "LogEvent" WHERE "userId" = ? AND "id" >= ? ORDER BY "id" DESC LIMIT ?`,
    [opts.userId, logIdFloor(opts.since), opts.take],
  );
  return rows.map(toLogRecord);
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
