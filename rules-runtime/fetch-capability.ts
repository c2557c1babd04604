import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";
import {
  literalNetworks,
  lookupAll,
  resolveFetchTarget,
  type TFetchTarget,
  type TLookupAll,
} from "./fetch-target.ts";
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

/**
 * `host`, `host:port` or `*.domain` entries; a bare host allows any port of it. A URL with an IP address is also
 * allowed by an IP or CIDR entry holding it (`10.0.0.0/8`).
 */
export function isHostAllowed(url: URL, allowed: readonly string[]): boolean {
  const hostname = url.hostname.toLowerCase();
  const host = url.host.toLowerCase();
  const isNamed = allowed.some((entry) => {
    const e = entry.trim().toLowerCase();
    if (!e) return false;
    if (e.startsWith("*.")) return hostname.endsWith(e.slice(1)) && hostname.length > e.length - 1;
    return e.includes(":") && !e.startsWith("[") && !ipaddr.isValid(e)
      ? host === e
      : hostname === e || host === e;
  });
  if (isNamed) return true;
  const ip = hostname.startsWith("[") ? hostname.slice(1, -1) : hostname;
  if (!ipaddr.isValid(ip)) return false;
  const a = ipaddr.parse(ip);
  return literalNetworks(allowed).some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits));
}

type TSent = { status: number; statusText: string; headers: Record<string, string>; body: string };

/** One HTTP request to the checked address (the URL's host stays the Host header and the TLS server name). */
function send(
  req: TFetchRequest,
  target: TFetchTarget,
  signal: AbortSignal,
  maxBytes: number,
): Promise<TSent | { tooLarge: true }> {
  const pinned: LookupFunction = (_host, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const request = req.url.protocol === "https:" ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const r = request(
      req.url,
      { method: req.method, headers: req.headers, signal, lookup: pinned },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.byteLength;
          if (size > maxBytes) {
            res.destroy();
            resolve({ tooLarge: true });
            return;
          }
          chunks.push(chunk);
        });
        res.on("error", reject);
        res.on("end", () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) {
            if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
          }
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? "",
            headers,
            body: Buffer.concat(chunks).toString("utf8"),
          });
        });
      },
    );
    r.on("error", reject);
    r.end(req.body ?? undefined);
  });
}

/**
 * Perform one request for a rule: only to allowlisted hosts, only to public addresses unless the allowlist names
 * the IP or CIDR (the name is resolved once and the connection goes to the address checked), redirects not
 * followed (a redirect could leave the allowlist), bounded in time by the smaller of the fetch timeout and the
 * pipeline deadline, and in size.
 */
export async function fetchWithLimits(
  req: TFetchRequest,
  budget: TFetchBudget,
  resolve: TLookupAll = lookupAll,
): Promise<TFetchReply> {
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
    const target = await resolveFetchTarget(req.url, budget.allowedHosts, resolve);
    if ("error" in target) return refuse(target.error);
    if (controller.signal.aborted) throw new Error("aborted");
    const sent = await send(req, target, controller.signal, budget.limits.fetchMaxResponseBytes);
    if ("tooLarge" in sent)
      return refuse(`fetch: the response is larger than ${budget.limits.fetchMaxResponseBytes} bytes`);
    return { ok: true, url: req.url.toString(), ...sent };
  } catch {
    return refuse(
      controller.signal.aborted ? `fetch: no response within ${timeout} ms` : "fetch: the request failed",
    );
  } finally {
    clearTimeout(timer);
    budget.controllers.delete(controller);
  }
}
