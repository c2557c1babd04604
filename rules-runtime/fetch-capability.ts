import type { TRulesLimits } from "./types.ts";

/** A rule's fetch request after argument checks. */
export type TFetchRequest = {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string | null;
};

export type TFetchReply =
  | {
      ok: true;
      status: number;
      statusText: string;
      url: string;
      headers: Record<string, string>;
      body: string;
    }
  | { ok: false; error: string };

/** Per-run state of the fetch capability. */
export type TFetchBudget = {
  allowedHosts: readonly string[];
  /** Epoch ms by which the pipeline must be done; no request outlives it. */
  deadline: number;
  used: number;
  limits: Pick<TRulesLimits, "fetchTimeoutMs" | "fetchMaxResponseBytes" | "fetchMaxRequests">;
  /** In-flight requests, aborted when the run ends. */
  controllers: Set<AbortController>;
};

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

function refuse(error: string): { error: string; ok: false } {
  return { ok: false, error };
}

/** Check what the sandbox sent: a JSON string with an http(s) URL, a known method, string headers and body. */
export function readFetchRequest(
  raw: unknown,
  maxBytes: number,
): TFetchRequest | { ok: false; error: string } {
  if (typeof raw !== "string" || raw.length > maxBytes) return refuse("fetch: request too large");
  let r: unknown;
  try {
    r = JSON.parse(raw);
  } catch {
    return refuse("fetch: malformed request");
  }
  if (typeof r !== "object" || r === null) return refuse("fetch: malformed request");
  const { url, method, headers, body } = r as Record<string, unknown>;
  if (typeof url !== "string") return refuse("fetch: the URL must be a string");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return refuse(`fetch: invalid URL ${JSON.stringify(url.slice(0, 200))}`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    return refuse("fetch: only http and https URLs are allowed");
  if (parsed.username || parsed.password) return refuse("fetch: credentials in the URL are not allowed");
  if (typeof method !== "string" || !METHODS.has(method)) return refuse("fetch: unsupported method");
  const h: Record<string, string> = {};
  if (typeof headers !== "object" || headers === null || Array.isArray(headers))
    return refuse("fetch: headers must be an object");
  for (const [k, v] of Object.entries(headers)) {
    if (typeof v !== "string") return refuse("fetch: header values must be strings");
    h[k] = v;
  }
  if (body !== null && typeof body !== "string") return refuse("fetch: body must be a string");
  return { url: parsed, method, headers: h, body: method === "GET" || method === "HEAD" ? null : body };
}

/** `host`, `host:port` or `*.domain` entries; a bare host allows any port of it. */
export function isHostAllowed(url: URL, allowed: readonly string[]): boolean {
  const hostname = url.hostname.toLowerCase();
  const host = url.host.toLowerCase();
  return allowed.some((entry) => {
    const e = entry.trim().toLowerCase();
    if (!e) return false;
    if (e.startsWith("*.")) return hostname.endsWith(e.slice(1)) && hostname.length > e.length - 1;
    return e.includes(":") && !e.startsWith("[") ? host === e : hostname === e || host === e;
  });
}

/**
 * Perform one request for a rule: only to allowlisted hosts, redirects not followed (a redirect could leave the
 * allowlist), bounded in time by the smaller of the fetch timeout and the pipeline deadline, and in size.
 */
export async function fetchWithLimits(req: TFetchRequest, budget: TFetchBudget): Promise<TFetchReply> {
  if (budget.allowedHosts.length === 0)
    return refuse("fetch is disabled: an administrator must allow the host first");
  if (!isHostAllowed(req.url, budget.allowedHosts))
    return refuse(`fetch: ${req.url.host} is not on the rules network allowlist`);
  if (++budget.used > budget.limits.fetchMaxRequests)
    return refuse(`fetch: more than ${budget.limits.fetchMaxRequests} requests in one login`);
  const timeout = Math.max(0, Math.min(budget.limits.fetchTimeoutMs, budget.deadline - Date.now()));
  const controller = new AbortController();
  budget.controllers.add(controller);
  const timer = setTimeout(() => controller.abort(), timeout);
  try {
    const res = await fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body,
      redirect: "manual",
      signal: controller.signal,
    });
    const max = budget.limits.fetchMaxResponseBytes;
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (res.body) {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > max) {
          controller.abort();
          return refuse(`fetch: the response is larger than ${max} bytes`);
        }
        chunks.push(value);
      }
    }
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k] = v));
    return {
      ok: true,
      status: res.status,
      statusText: res.statusText,
      url: req.url.toString(),
      headers,
      body: Buffer.concat(chunks).toString("utf8"),
    };
  } catch {
    return refuse(
      controller.signal.aborted ? `fetch: no response within ${timeout} ms` : "fetch: the request failed",
    );
  } finally {
    clearTimeout(timer);
    budget.controllers.delete(controller);
  }
}
