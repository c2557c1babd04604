import { createServer, type IncomingMessage, type ServerResponse, type Server } from "node:http";
import type { TDeps } from "../config/deps.ts";
import { answerTokenRequest } from "../oauth/token-endpoint.ts";
import { CLIENT_IP_HEADER, jsonAnswer, type TJsonAnswer } from "../oauth/request.ts";
import { compileIpList } from "../protection/ip-match.ts";
import { resolveProxiedClientIp } from "../protection/forwarded-ip.ts";

const TOKEN_PATHS = new Set(["/oauth/token", "/api/oauth/token"]);
const MAX_BODY = 64 * 1024;

export type TNextHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** The socket peer address, with IPv4-mapped IPv6 addresses shown as plain IPv4. */
export function socketAddress(req: IncomingMessage): string | undefined {
  const a = req.socket.remoteAddress;
  return a?.startsWith("::ffff:") ? a.slice(7) : a;
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  // Both accepted media types are text; decoding after concatenation keeps multi-byte characters whole.
  return Buffer.concat(chunks).toString("utf8");
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

/**
 * Portcullis's HTTP server. It stamps every request with the client address (discarding any client-sent copy of
 * that header, so the IP can't be spoofed): the socket address, or — only when the socket peer is one of
 * TRUSTED_PROXIES — the right-most X-Forwarded-For entry that is not itself a trusted proxy. It answers POST /oauth/token itself — the hot path skips Next.js
 * routing — while everything else (dashboard, discovery, userinfo) goes to Next.js.
 */
export function createHttpServer(deps: TDeps, next: TNextHandler): Server {
  const trustedProxies = compileIpList(deps.env.TRUSTED_PROXIES);
  return createServer((req, res) => {
    delete req.headers[CLIENT_IP_HEADER];
    const ip = resolveProxiedClientIp(socketAddress(req), req.headers["x-forwarded-for"], trustedProxies);
    if (ip) req.headers[CLIENT_IP_HEADER] = ip;
    const path = (req.url ?? "/").split("?")[0]!;
    if (req.method === "POST" && TOKEN_PATHS.has(path)) {
      void handleToken(req, res, deps).catch((err: unknown) => {
        console.error("[portcullis] token request failed:", err instanceof Error ? err.message : err);
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: "server_error", error_description: "Internal server error" }));
      });
      return;
    }
    next(req, res).catch((err: unknown) => {
      console.error("[portcullis] request failed:", err instanceof Error ? err.message : err);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
}

async function handleToken(req: IncomingMessage, res: ServerResponse, deps: TDeps): Promise<void> {
  const body = await readBody(req);
  if (body === null) {
    // Close the connection: the rest of the oversized body is never read.
    sendAnswer(
      res,
      jsonAnswer(
        413,
        { error: "invalid_request", error_description: "Request body too large." },
        { connection: "close" },
      ),
    );
    req.destroy();
    return;
  }
  sendAnswer(res, await answerTokenRequest({ headers: headerReader(req), readBody: async () => body }, deps));
}
