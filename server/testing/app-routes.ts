import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TNextHandler } from "../http/serve.ts";

type TRouteModule = Record<string, unknown>;
type TRouteHandler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

/** A path segment decoded, or as given when it is not valid percent-encoding (`%` alone). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Find app/<segments>/route.ts the way Next.js's App Router matches it: exact folder, [param], then [...param]. */
function matchRoute(dir: string, segments: string[], params: Record<string, string>): string | null {
  if (segments.length === 0) return existsSync(join(dir, "route.ts")) ? join(dir, "route.ts") : null;
  const [head, ...rest] = segments as [string, ...string[]];
  if (existsSync(join(dir, head))) {
    const exact = matchRoute(join(dir, head), rest, params);
    if (exact) return exact;
  }
  const dynamic = existsSync(dir) ? readdirSync(dir).filter((d) => d.startsWith("[")) : [];
  for (const d of dynamic.filter((d) => !d.startsWith("[..."))) {
    const found = matchRoute(join(dir, d), rest, params);
    if (found) {
      params[d.slice(1, -1)] = decodeSegment(head);
      return found;
    }
  }
  for (const d of dynamic.filter((d) => d.startsWith("[..."))) {
    if (existsSync(join(dir, d, "route.ts"))) {
      params[d.slice(4, -1)] = segments.map(decodeSegment).join("/");
      return join(dir, d, "route.ts");
    }
  }
  return null;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * For server processes in tests that run without a Next.js build: answers requests with the app's own route
 * handlers (app/**\/route.ts: admin API, JWKS, discovery, MFA API), matched as the App Router does. Pages are not
 * served (404).
 */
export function createAppRouteHandler(root = process.cwd()): TNextHandler {
  const modules = new Map<string, Promise<TRouteModule>>();
  return async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
    const params: Record<string, string> = {};
    const segments = url.pathname.split("/").filter(Boolean);
    const file = matchRoute(join(root, "app"), segments, params);
    let mod: TRouteModule | null = null;
    if (file) {
      if (!modules.has(file)) modules.set(file, import(pathToFileURL(file).href) as Promise<TRouteModule>);
      mod = await modules.get(file)!;
    }
    const handler = mod?.[req.method ?? "GET"] as TRouteHandler | undefined;
    if (!handler) {
      res.writeHead(404).end();
      return;
    }
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === "string") headers.set(k, v);
      else if (Array.isArray(v)) headers.set(k, v.join(", "));
    }
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const body = hasBody ? new Uint8Array(await readBody(req)) : undefined;
    const response = await handler(new Request(url, { method: req.method, headers, body }), {
      params: Promise.resolve(params),
    });
    const out = Buffer.from(await response.arrayBuffer());
    const outHeaders: Record<string, string> = {};
    response.headers.forEach((v, k) => (outHeaders[k] = v));
    res.writeHead(response.status, { ...outHeaders, "content-length": String(out.length) });
    res.end(out);
  };
}
