import type { TDeps } from "../../config/deps.ts";
import { assertAdminAllowed } from "../../admin/admin-access.ts";
import { findConnectionByName } from "../../store/connections.ts";
import {
  MAX_PER_PAGE,
  searchUsersByQuery,
  UserSearchPagingError,
  USER_SORT_FIELDS,
  type TUserSortField,
} from "../../store/user-search.ts";
import type { TManagementCaller } from "../authenticate-management.ts";
import { ManagementError } from "../management-error.ts";
import { readBoolean, readCount, readFieldSelection, readText } from "../query-params.ts";
import { parseUserQuery, UserQueryError } from "./parse-user-query.ts";
import { managedUserJson } from "./users.ts";

/** Auth0's default page size for users. */
const DEFAULT_PER_PAGE = 50;

function readSort(url: URL): { field: TUserSortField; direction: 1 | -1 } | undefined {
  const raw = readText(url, "sort", 64);
  if (raw === undefined) return undefined;
  const m = /^([a-z_]+):(1|-1)$/.exec(raw);
  const field = m?.[1] as TUserSortField | undefined;
  if (!m || !field || !(USER_SORT_FIELDS as readonly string[]).includes(field))
    throw ManagementError.invalidQuery(
      `Query validation error: 'sort' must be <field>:1 or <field>:-1 with one of ${USER_SORT_FIELDS.join(", ")}.`,
    );
  return { field, direction: m[2] === "1" ? 1 : -1 };
}

/**
 * GET /api/v2/users: list or search users (Auth0's `q` in its v3 query syntax, `search_engine=v3`, `sort`,
 * `connection`, `page`/`per_page` within the first 1,000 results, `include_totals`, `fields`/`include_fields`).
 */
export async function searchManagedUsers(deps: TDeps, caller: TManagementCaller, url: URL): Promise<unknown> {
  assertAdminAllowed(caller, "users:read");
  const engine = readText(url, "search_engine", 8);
  if (engine !== undefined && engine !== "v3")
    throw ManagementError.invalidQuery(
      `Query validation error: 'Invalid value "${engine}": only search_engine=v3 is supported' on property search_engine.`,
    );
  const pick = readFieldSelection(url);
  const page = readCount(url, "page", 0);
  const perPage = readCount(url, "per_page", DEFAULT_PER_PAGE);
  if (perPage > MAX_PER_PAGE)
    throw ManagementError.invalidQuery(
      `Query validation error: 'Too big: must be at most ${MAX_PER_PAGE}' on property per_page.`,
    );
  const includeTotals = readBoolean(url, "include_totals", false);
  const sort = readSort(url);
  const connectionName = readText(url, "connection", 128);
  try {
    const query = parseUserQuery(readText(url, "q", 4096) ?? "");
    let connectionId: string | undefined;
    if (connectionName !== undefined) {
      const connection = await findConnectionByName(deps.db, connectionName);
      // An unknown connection has no users.
      connectionId = connection?.id ?? "\u0001none";
    }
    const { users, total } = await searchUsersByQuery(deps.db, {
      query,
      sort,
      page,
      perPage,
      includeTotals,
      connectionId,
    });
    const body = await Promise.all(users.map(async (u) => pick(await managedUserJson(deps, u))));
    if (!includeTotals) return body;
    return {
      start: page * perPage,
      limit: perPage,
      length: body.length,
      users: body,
      total: total ?? body.length,
    };
  } catch (err) {
    if (err instanceof UserQueryError || err instanceof UserSearchPagingError)
      throw new ManagementError(400, err.message, err.errorCode);
    throw err;
  }
}
