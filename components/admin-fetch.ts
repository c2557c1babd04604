/** JSON call to the admin API; throws an Error with the server's safe description on failure. */
export async function adminFetch<T>(path: string, init: { method: string; body?: unknown }): Promise<T> {
  const res = await fetch(path, {
    method: init.method,
    headers: init.body === undefined ? {} : { "content-type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => ({}))) as { error_description?: string; message?: string };
  if (!res.ok) throw new Error(data.error_description ?? data.message ?? `Request failed (${res.status})`);
  return data as T;
}
