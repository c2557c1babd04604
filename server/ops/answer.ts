/** A plain HTTP answer from an operations endpoint; the HTTP server writes it (no web Request/Response needed). */
export type TOpsAnswer = { status: number; headers: Record<string, string>; body: string };

/** A JSON answer that no cache keeps (health and readiness change from one second to the next). */
export function jsonOpsAnswer(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): TOpsAnswer {
  return {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
    body: JSON.stringify(body),
  };
}
