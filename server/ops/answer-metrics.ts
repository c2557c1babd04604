import { createHash, timingSafeEqual } from "node:crypto";
import type { TMetrics } from "../platform/metrics.ts";
import { jsonOpsAnswer, type TOpsAnswer } from "./answer.ts";

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Whether an Authorization header carries `Bearer <token>`, compared in constant time (digests of equal length). */
export function isMetricsAuthorized(authorization: string | undefined, token: string): boolean {
  const m = /^bearer\s+(.+)$/i.exec(authorization?.trim() ?? "");
  return timingSafeEqual(digest(m?.[1] ?? ""), digest(token)) && m !== null;
}

/**
 * GET /metrics in Prometheus text format, for a scraper holding METRICS_TOKEN. Without a configured token the
 * endpoint does not exist (404), so an unconfigured server publishes nothing; a wrong or missing token gets 401.
 */
export async function answerMetrics(
  metrics: TMetrics,
  token: string | undefined,
  authorization: string | undefined,
): Promise<TOpsAnswer> {
  if (!token) return jsonOpsAnswer(404, { error: "not_found" });
  if (!isMetricsAuthorized(authorization, token)) {
    return jsonOpsAnswer(401, { error: "unauthorized" }, { "www-authenticate": 'Bearer realm="metrics"' });
  }
  return {
    status: 200,
    headers: { "content-type": metrics.registry.contentType, "cache-control": "no-store" },
    body: await metrics.registry.metrics(),
  };
}
