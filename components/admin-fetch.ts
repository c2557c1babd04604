/**
 * A failed admin API call: the server's safe description, its HTTP status, any structured details, and per-field
 * messages when it named fields.
 */
export class AdminFetchError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly details?: unknown,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = "AdminFetchError";
  }
}

/** JSON call to the admin API; throws an AdminFetchError with the server's safe description on failure. */
export async function adminFetch<T>(path: string, init: { method: string; body?: unknown }): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method,
      headers: init.body === undefined ? {} : { "content-type": "application/json" },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch {
    throw new AdminFetchError("The server could not be reached. Check your connection and try again.", 0);
  }
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => ({}))) as {
    error_description?: string;
    message?: string;
    details?: unknown;
    fields?: Record<string, string>;
  };
  if (!res.ok) {
    const message =
      data.error_description ??
      data.message ??
      (res.status >= 500
        ? "Something went wrong on the server. Try again."
        : `Request failed (${res.status})`);
    throw new AdminFetchError(message, res.status, data.details, data.fields ?? {});
  }
  return data as T;
}
