import { LOG_PAGE_MAX, LOG_SEARCH_WINDOW } from "../../store/management-logs.ts";

// The limits Auth0 puts on reading logs, checked before the store is asked: per_page and take at most 100, and a
// search may page through its first 1,000 results only (checkpoint paging has no such limit).

/** A page or checkpoint request outside Auth0's limits: HTTP 400 naming the parameter. */
export class LogPagingError extends Error {
  readonly statusCode = 400;
  readonly error = "Bad Request";
  constructor(
    message: string,
    readonly errorCode: "invalid_paging" | "invalid_query_string",
  ) {
    super(message);
    this.name = "LogPagingError";
  }
}

/**
 * Refuse a page/per_page pair Auth0 would refuse: per_page outside 0..100, a negative or fractional page, or a page
 * starting at or past the 1,000th result. (The error code and wording for the depth limit are ours: Auth0's
 * documentation states the limit but not its error body.)
 */
export function checkLogPage(page: number, perPage: number): void {
  if (!Number.isInteger(perPage) || perPage < 0 || perPage > LOG_PAGE_MAX)
    throw new LogPagingError(
      `Query validation error: 'per_page' must be an integer from 0 to ${LOG_PAGE_MAX}.`,
      "invalid_query_string",
    );
  if (!Number.isInteger(page) || page < 0)
    throw new LogPagingError(
      `Query validation error: 'page' must be an integer of 0 or more.`,
      "invalid_query_string",
    );
  if (perPage > 0 && page * perPage >= LOG_SEARCH_WINDOW)
    throw new LogPagingError(
      `You can only page through the first ${LOG_SEARCH_WINDOW} records. Redefine your search or retrieve logs by checkpoint (from and take).`,
      "invalid_paging",
    );
}

/** Log ids are short runs of letters and digits; anything else cannot be a checkpoint. */
const LOG_ID = /^[0-9A-Za-z_-]{1,100}$/;

/** Refuse a checkpoint request Auth0 would refuse: take outside 1..100, or a `from` that cannot be a log id. */
export function checkLogCheckpoint(from: string | undefined, take: number): void {
  if (!Number.isInteger(take) || take < 1 || take > LOG_PAGE_MAX)
    throw new LogPagingError(
      `Query validation error: 'take' must be an integer from 1 to ${LOG_PAGE_MAX}.`,
      "invalid_query_string",
    );
  if (from !== undefined && !LOG_ID.test(from))
    throw new LogPagingError(`Query validation error: 'from' is not a log id.`, "invalid_query_string");
}
