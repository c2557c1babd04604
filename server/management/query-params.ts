import { ManagementError } from "./management-error.ts";

// Query-string parameters every Management API list shares (Auth0's names and limits), read strictly: a value that
// is not what Auth0 accepts is a 400 `invalid_query_string` naming the parameter, never a silent default.

export type TPaging = { page: number; perPage: number; includeTotals: boolean };

/** Auth0's largest `per_page` and the default when none is given. */
export const MAX_PER_PAGE = 100;
export const DEFAULT_PER_PAGE = 50;

function integer(url: URL, name: string, min: number, max: number): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === "") return undefined;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw ManagementError.invalidQuery(
      `Query validation error: 'Expected type integer between ${min} and ${max}' on property ${name}.`,
    );
  return Number(raw);
}

/** A whole-number query parameter (absent or empty: `fallback`); its range is the caller's to check. */
export function readCount(url: URL, name: string, fallback: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === "") return fallback;
  if (!/^\d{1,7}$/.test(raw))
    throw ManagementError.invalidQuery(
      `Query validation error: 'Invalid type: Expected type 'integer' but found type 'string'' on property ${name}.`,
    );
  return Number(raw);
}

/** A `true`/`false` query parameter (absent: `fallback`). */
export function readBoolean(url: URL, name: string, fallback: boolean): boolean {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === "") return fallback;
  if (raw !== "true" && raw !== "false")
    throw ManagementError.invalidQuery(
      `Query validation error: 'Invalid type: Expected type 'boolean' but found type 'string'' on property ${name}.`,
    );
  return raw === "true";
}

/** A text query parameter, at most `max` characters (absent or empty: undefined). */
export function readText(url: URL, name: string, max = 1024): string | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === "") return undefined;
  if (raw.length > max || raw.includes("\u0000") || /\p{Cs}/u.test(raw))
    throw ManagementError.invalidQuery(
      `Query validation error: 'String is too long (${raw.length} chars), maximum ${max}' on property ${name}.`,
    );
  return raw;
}

/** `page` (from 0), `per_page` (1–100, default 50) and `include_totals`. */
export function readPaging(url: URL, opts: { defaultPerPage?: number } = {}): TPaging {
  return {
    page: integer(url, "page", 0, 1_000_000) ?? 0,
    perPage: integer(url, "per_page", 1, MAX_PER_PAGE) ?? opts.defaultPerPage ?? DEFAULT_PER_PAGE,
    includeTotals: readBoolean(url, "include_totals", false),
  };
}

/** One page of `items` in Auth0's shape: the bare array, or with `include_totals` `{[key]: [...], start, limit, total}`. */
export function pageBody<T>(
  key: string,
  items: T[],
  paging: TPaging,
  total: number,
): T[] | Record<string, unknown> {
  if (!paging.includeTotals) return items;
  return { [key]: items, start: paging.page * paging.perPage, limit: paging.perPage, total };
}

/** Slice an in-memory list (a tenant's clients, connections, APIs: hundreds at most) into one page. */
export function slicePage<T>(items: T[], paging: TPaging): T[] {
  const start = paging.page * paging.perPage;
  return items.slice(start, start + paging.perPage);
}

/**
 * `fields` (comma-separated) and `include_fields` (true: keep only those; false: drop them), applied to a
 * response object. Unknown field names are ignored, as Auth0 does.
 */
export function readFieldSelection(url: URL): <T extends Record<string, unknown>>(o: T) => Partial<T> {
  const fields = readText(url, "fields", 2048)
    ?.split(",")
    .map((f) => f.trim())
    .filter(Boolean);
  const include = readBoolean(url, "include_fields", true);
  if (!fields?.length) return (o) => o;
  const set = new Set(fields);
  return (o) =>
    Object.fromEntries(Object.entries(o).filter(([k]) => set.has(k) === include)) as Partial<typeof o>;
}
