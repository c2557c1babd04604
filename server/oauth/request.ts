import { InvalidRequest } from "./errors.ts";

/** Header our HTTP server sets from the socket address after discarding any client-supplied value. */
export const CLIENT_IP_HEADER = "x-portcullis-client-ip";

export type TRequestMeta = {
  /** Socket address of the caller (Auth0's `client_ip`). */
  clientIp: string | undefined;
  userAgent: string | undefined;
  hostname: string | undefined;
};

/** Read access to request headers by lower-case name: a web `Headers`, or a view over node's header object. */
export type THeaderReader = { get(name: string): string | null };

/** Transport facts about a request, read from headers our own server controls. */
export function readRequestMeta(req: { headers: THeaderReader }): TRequestMeta {
  return {
    clientIp: req.headers.get(CLIENT_IP_HEADER) ?? undefined,
    userAgent: req.headers.get("user-agent") ?? undefined,
    hostname: req.headers.get("host") ?? undefined,
  };
}

/** A token-endpoint request independent of the transport: headers, and the body read on demand. */
export type TTokenRequest = { headers: THeaderReader; readBody(): Promise<string> };

/** A JSON answer independent of the transport. */
export type TJsonAnswer = { status: number; headers: Record<string, string>; body: string };

const MAX_BODY_BYTES = 64 * 1024;

/**
 * Parse a token request body: application/x-www-form-urlencoded (any charset parameter) or application/json.
 * Values must be strings (scalars in JSON are stringified, as Auth0's SDKs send them); a repeated form parameter
 * is refused, as RFC 6749 §3.2 requires.
 */
export async function parseParams(req: TTokenRequest): Promise<Record<string, string>> {
  const mediaType = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const text = await req.readBody();
  if (mediaType === "application/x-www-form-urlencoded") {
    const out: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(text)) {
      if (Object.hasOwn(out, k)) throw new InvalidRequest(`Parameter '${k}' must not be repeated.`);
      out[k] = v;
    }
    return out;
  }
  if (mediaType === "application/json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new InvalidRequest("The request body is not valid JSON.");
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new InvalidRequest("The request body must be a JSON object.");
    }
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed)) {
      if (v === null || v === undefined) continue;
      if (typeof v === "string") out[k] = v;
      else if (typeof v === "number" || typeof v === "boolean") out[k] = String(v);
      else throw new InvalidRequest(`Parameter '${k}' must be a string.`);
    }
    return out;
  }
  throw new InvalidRequest("Content-Type must be application/x-www-form-urlencoded or application/json.");
}

/** The body of a web Request as text, refusing one over the size limit. */
export async function readBodyText(req: Request): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw new InvalidRequest("Request body too large.");
  const buf = await req.arrayBuffer();
  if (buf.byteLength > MAX_BODY_BYTES) throw new InvalidRequest("Request body too large.");
  return new TextDecoder().decode(buf);
}

/** A JSON answer with the standard token-endpoint headers (RFC 6749 §5.1). */
export function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): TJsonAnswer {
  return {
    status,
    body: JSON.stringify(body),
    headers: {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      pragma: "no-cache",
      ...headers,
    },
  };
}

/** A web Response of an answer. */
export function toResponse(answer: TJsonAnswer): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/** Standard JSON response headers for token endpoint answers (RFC 6749 §5.1). */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return toResponse(jsonAnswer(status, body, headers));
}
