/** A failed admin API call: the server's safe description, its HTTP status and any structured details. */
export class AdminFetchError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "AdminFetchError";
  }
}

/** JSON call to the admin API; throws an AdminFetchError with the server's safe description on failure. */
export async function adminFetch<T>(path: string, init: { method: string; body?: unknown }): Promise<T> {
  const res = await fetch(path, {
    method: init.method,
    headers: init.body === undefined ? {} : { "content-type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => ({}))) as {
    error_description?: string;
    message?: string;
    details?: unknown;
  };
  if (!res.ok)
    throw new AdminFetchError(
      data.error_description ?? data.message ?? `Request failed (${res.status})`,
      res.status,
      data.details,
    );
  return data as T;
}
