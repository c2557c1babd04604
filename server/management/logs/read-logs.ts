import type { TDeps } from "../../config/deps.ts";
import { assertAdminAllowed } from "../../admin/admin-access.ts";
import {
  getLogById,
  listLogsFrom,
  listLogsPage,
  listUserLogsPage,
  type TLogSort,
} from "../../store/management-logs.ts";
import type { TManagementCaller } from "../authenticate-management.ts";
import { ManagementError } from "../management-error.ts";
import { readBoolean, readCount, readFieldSelection, readText } from "../query-params.ts";
import { checkLogCheckpoint, checkLogPage, LogPagingError } from "./check-log-paging.ts";
import { LogQueryError, parseLogQuery } from "./parse-log-query.ts";

/** Auth0's default page size for logs (`per_page` and `take`). */
const DEFAULT_PAGE = 50;

/** A LogQueryError or LogPagingError as Auth0's 400 body; anything else propagates. */
function asManagementError(err: unknown): never {
  if (err instanceof LogQueryError || err instanceof LogPagingError)
    throw new ManagementError(400, err.message, err.errorCode);
  throw err;
}

function readSort(url: URL): TLogSort | undefined {
  const raw = readText(url, "sort", 64);
  if (raw === undefined) return undefined;
  const m = /^date:(1|-1)$/.exec(raw);
  if (!m)
    throw ManagementError.invalidQuery(
      `Query validation error: 'String does not match pattern ^date:(1|-1)$' on property sort.`,
    );
  return { field: "date", direction: m[1] === "1" ? 1 : -1 };
}

/** Auth0's page of logs: the bare array, or with include_totals `{length, limit, logs, start, total}`. */
function logsBody<T>(logs: T[], page: number, perPage: number, includeTotals: boolean, total?: number) {
  if (!includeTotals) return logs;
  return { length: logs.length, limit: perPage, logs, start: page * perPage, total: total ?? logs.length };
}

/**
 * GET /api/v2/logs. With `from` or `take`: checkpoint paging (records after `from`, oldest first, settled records
 * only, so a SIEM following it sees each record once; `q` is ignored there as on Auth0). Otherwise a search: `q`,
 * `sort=date:1|-1`, `page`/`per_page` within the first 1,000 results, `include_totals`, `fields`/`include_fields`.
 */
export async function readLogs(deps: TDeps, caller: TManagementCaller, url: URL): Promise<unknown> {
  assertAdminAllowed(caller, "logs:read");
  try {
    const pick = readFieldSelection(url);
    const from = readText(url, "from", 100);
    if (from !== undefined || url.searchParams.has("take")) {
      const take = readCount(url, "take", DEFAULT_PAGE);
      checkLogCheckpoint(from, take);
      const logs = await listLogsFrom(deps.db, { from, take });
      return logs.map(pick);
    }
    const page = readCount(url, "page", 0);
    const perPage = readCount(url, "per_page", DEFAULT_PAGE);
    checkLogPage(page, perPage);
    const includeTotals = readBoolean(url, "include_totals", false);
    const query = parseLogQuery(readText(url, "q", 4096));
    const { logs, total } = await listLogsPage(deps.db, {
      query,
      sort: readSort(url),
      page,
      perPage,
      includeTotals,
    });
    return logsBody(logs.map(pick), page, perPage, includeTotals, total);
  } catch (err) {
    asManagementError(err);
  }
}

/** GET /api/v2/logs/{id}: one record, or Auth0's 404. */
export async function readLog(deps: TDeps, caller: TManagementCaller, logId: string): Promise<unknown> {
  assertAdminAllowed(caller, "logs:read");
  const log = logId.length <= 100 ? await getLogById(deps.db, logId) : null;
  if (!log) throw ManagementError.notFound("log not found", "inexistent_log");
  return log;
}

/** GET /api/v2/users/{id}/logs: the user's records, newest first unless `sort=date:1`, paged like a search. */
export async function readUserLogs(
  deps: TDeps,
  caller: TManagementCaller,
  userId: string,
  url: URL,
): Promise<unknown> {
  assertAdminAllowed(caller, "logs:read");
  try {
    const page = readCount(url, "page", 0);
    const perPage = readCount(url, "per_page", DEFAULT_PAGE);
    checkLogPage(page, perPage);
    const includeTotals = readBoolean(url, "include_totals", false);
    const { logs, total } = await listUserLogsPage(deps.db, userId, {
      sort: readSort(url),
      page,
      perPage,
      includeTotals,
    });
    return logsBody(logs, page, perPage, includeTotals, total);
  } catch (err) {
    asManagementError(err);
  }
}
