import { createServer, type IncomingMessage, type ServerResponse, type Server } from "node:http";
import type { TDeps } from "../config/deps.ts";
import { answerTokenRequest } from "../oauth/token-endpoint.ts";
import { answerRevokeRequest } from "../oauth/revoke-endpoint.ts";
import {
  BODY_TOO_LARGE,
  CLIENT_IP_HEADER,
  TOKEN_MAX_BODY_BYTES,
  jsonAnswer,
  type TJsonAnswer,
} from "../oauth/core/request.ts";
import { collectCapped, isDeclaredOverCap } from "../platform/read-body.ts";
import { compileIpList } from "../platform/ip-match.ts";
import { resolveProxiedClientIp } from "../protection/forwarded-ip.ts";
import { canonicalIp } from "../platform/ip-key.ts";
import { randomUUID } from "node:crypto";
import { listShippedMigrations } from "../store/migrate.ts";
import { answerLiveness, answerReadiness } from "../ops/check-health.ts";
import { answerMetrics } from "../ops/answer-metrics.ts";
import type { TOpsAnswer } from "../ops/answer.ts";
import { errorMessage } from "../platform/logger.ts";
import { answerSignup } from "../oauth/dbconnections/signup.ts";
import { answerChangePassword } from "../oauth/dbconnections/change-password.ts";
import { DBCONNECTIONS_MAX_BODY_BYTES } from "../oauth/dbconnections/read-params.ts";

const TOKEN_PATHS = new Set(["/oauth/token", "/api/oauth/token"]);
/** Auth0's database-connection endpoints, answered here like the token endpoint (JSON in, JSON out, body-capped). */
const DBCONNECTION_ANSWERS: Record<string, typeof answerSignup> = {
  "/dbconnections/signup": answerSignup,
  "/dbconnections/change_password": answerChangePassword,
};
const REVOKE_PATHS = new Set(["/oauth/revoke", "/api/oauth/revoke"]);
const HEALTH_PATHS = new Set(["/healthz", "/readyz"]);
const REQUEST_ID_HEADER = "x-request-id";
// A request id from the load balancer is kept when it looks like one; anything else is replaced.
const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;
// Paths whose last segment is a credential (a signed unblock link): logged without it.
const SECRET_PATH_RE = /^(\/unblock\/)[^/]+/;

export type TNextHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** The socket peer address, canonical: IPv4-mapped IPv6 addresses as plain IPv4, IPv6 in RFC 5952 form. */
export function socketAddress(req: IncomingMessage): string | undefined {
  const a = req.socket.remoteAddress;
  // The kernel vouches for the peer; a zone id would only name our own interface, so it is dropped here.
  return a === undefined ? undefined : (canonicalIp(a.replace(/%.*$/, "")) ?? a);
}

async function readBody(req: IncomingMessage, maxBytes = TOKEN_MAX_BODY_BYTES): Promise<string | null> {
  if (isDeclaredOverCap(req.headers["content-length"], maxBytes)) return null;
  const read = await collectCapped(req as AsyncIterable<Buffer>, maxBytes);
  // Both accepted media types are text; decoding after concatenation keeps multi-byte characters whole.
  return read.isWithinCap
    ? Buffer.from(read.bytes.buffer, read.bytes.byteOffset, read.bytes.byteLength).toString("utf8")
    : null;
}

function sendAnswer(res: ServerResponse, answer: TJsonAnswer): void {
  res.writeHead(answer.status, {
    ...answer.headers,
    "content-length": String(Buffer.byteLength(answer.body)),
  });
  res.end(answer.body);
}

/** Node's request headers read like web `Headers` (node keeps names lower-case and joins most repeats). */
function headerReader(req: IncomingMessage): { get(name: string): string | null } {
  return {
    get(name) {
      const v = req.headers[name.toLowerCase()];
      if (v === undefined) return null;
      return Array.isArray(v) ? v.join(", ") : v;
    },
  };
}

/** The path to log: no query string (it may carry anything), no credential segments, bounded length. */
export function loggablePath(url: string | undefined): string {
  const path = (url ?? "/").split("?")[0]!.replace(SECRET_PATH_RE, "$1[redacted]");
  return path.length > 256 ? `${path.slice(0, 256)}…` : path;
}

function writeOpsAnswer(res: ServerResponse, answer: TOpsAnswer): void {
  res.writeHead(answer.status, {
    ...answer.headers,
    "content-length": String(Buffer.byteLength(answer.body)),
  });
  res.end(answer.body);
}

/**
 * Portcullis's HTTP server. It stamps every request with the client address (discarding any client-sent copy of
 * that header, so the IP can't be spoofed): the socket address, or — only when the socket peer is one of
 * TRUSTED_PROXIES — the right-most X-Forwarded-For entry that is not itself a trusted proxy. It answers POST /oauth/token, /oauth/revoke and /dbconnections/signup, /change_password itself — the hot path skips Next.js
 * routing — and the operations endpoints GET /healthz, /readyz and /metrics (docs/operations.md), so they work
 * without Next.js; everything else (dashboard, discovery, userinfo) goes to Next.js. Every request gets an id
 * (`x-request-id`, kept from a proxy when well-formed) and one access-log line when it ends.
 */
export function createHttpServer(deps: TDeps, next: TNextHandler, opts: { root?: string } = {}): Server {
  const trustedProxies = compileIpList(deps.env.TRUSTED_PROXIES);
  const shipped = listShippedMigrations(deps.env.databaseKind, opts.root);
  const log = deps.log;
  deps.metrics.enableProcessMetrics();
  const server = createServer((req, res) => {
    const startedAt = performance.now();
    const given = req.headers[REQUEST_ID_HEADER];
    const requestId = typeof given === "string" && REQUEST_ID_RE.test(given) ? given : randomUUID();
    res.setHeader(REQUEST_ID_HEADER, requestId);
    delete req.headers[CLIENT_IP_HEADER];
    const ip = resolveProxiedClientIp(socketAddress(req), req.headers["x-forwarded-for"], trustedProxies);
    if (ip) req.headers[CLIENT_IP_HEADER] = ip;
    const path = (req.url ?? "/").split("?")[0]!;
    const isHealthCheck = req.method === "GET" && HEALTH_PATHS.has(path);
    res.once("close", () => {
      // Load balancers probe health every few seconds: those lines only at debug level.
      const level = isHealthCheck ? "debug" : "info";
      if (!log.isLevelEnabled(level)) return;
      log[level](
        {
          req_id: requestId,
          method: req.method,
          path: loggablePath(req.url),
          status: res.statusCode,
          duration_ms: Math.round((performance.now() - startedAt) * 100) / 100,
          ip: ip ?? null,
          ...(res.writableFinished ? {} : { aborted: true }),
        },
        "request",
      );
    });
    if (req.method === "POST" && (TOKEN_PATHS.has(path) || REVOKE_PATHS.has(path))) {
      void handleToken(
        req,
        res,
        deps,
        REVOKE_PATHS.has(path) ? answerRevokeRequest : answerTokenRequest,
      ).catch((err: unknown) => {
        log.error({ req_id: requestId, err: errorMessage(err) }, "token request failed");
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: "server_error", error_description: "Internal server error" }));
      });
      return;
    }
    const dbAnswer = req.method === "POST" ? DBCONNECTION_ANSWERS[path] : undefined;
    if (dbAnswer && Object.hasOwn(DBCONNECTION_ANSWERS, path)) {
      void handleToken(req, res, deps, dbAnswer, DBCONNECTIONS_MAX_BODY_BYTES).catch((err: unknown) => {
        log.error({ req_id: requestId, err: errorMessage(err) }, "dbconnections request failed");
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: "server_error", error_description: "Internal server error" }));
      });
      return;
    }
    if (isHealthCheck || (req.method === "GET" && path === "/metrics")) {
      void answerOps(path, req, deps, shipped, !server.listening, (err) =>
        log.warn({ req_id: requestId, err: errorMessage(err) }, "readiness check failed"),
      )
        .then((answer) => writeOpsAnswer(res, answer))
        .catch((err: unknown) => {
          log.error({ req_id: requestId, err: errorMessage(err) }, "operations request failed");
          if (!res.headersSent) res.writeHead(500);
          res.end();
        });
      return;
    }
    next(req, res).catch((err: unknown) => {
      log.error({ req_id: requestId, err: errorMessage(err) }, "request failed");
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  return server;
}

function answerOps(
  path: string,
  req: IncomingMessage,
  deps: TDeps,
  shipped: ReturnType<typeof listShippedMigrations>,
  isShuttingDown: boolean,
  onError: (err: unknown) => void,
): Promise<TOpsAnswer> {
  if (path === "/healthz") return Promise.resolve(answerLiveness());
  if (path === "/readyz") return answerReadiness({ sql: deps.db, shipped, isShuttingDown }, onError);
  return answerMetrics(deps.metrics, deps.env.METRICS_TOKEN, req.headers.authorization);
}

/** POST /oauth/token, /oauth/revoke or /dbconnections/*: the body read up to `maxBytes`, then answered by `answer`. */
async function handleToken(
  req: IncomingMessage,
  res: ServerResponse,
  deps: TDeps,
  answer: typeof answerTokenRequest = answerTokenRequest,
  maxBytes = TOKEN_MAX_BODY_BYTES,
): Promise<void> {
  const body = await readBody(req, maxBytes);
  if (body === null) {
    // Close the connection: the rest of the oversized body is never read.
    sendAnswer(
      res,
      jsonAnswer(
        413,
        { error: "invalid_request", error_description: BODY_TOO_LARGE },
        { connection: "close" },
      ),
    );
    req.destroy();
    return;
  }
  const query = (req.url ?? "").split("?").slice(1).join("?");
  sendAnswer(res, await answer({ headers: headerReader(req), readBody: async () => body, query }, deps));
}
