import { InvalidRequest } from "./errors.ts";
import { readRequestText } from "../../platform/read-body.ts";

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
export type TTokenRequest = {
  headers: THeaderReader;
  readBody(): Promise<string>;
  /** The request URL's query string, without the "?" (rules see it as `context.request.query`). */
  query?: string;
};

/** A JSON answer independent of the transport. */
export type TJsonAnswer = { status: number; headers: Record<string, string>; body: string };

/** The largest token-endpoint body read (Auth0's limit is in this range; real requests are a few hundred bytes). */
export const TOKEN_MAX_BODY_BYTES = 64 * 1024;

/** The description of the 413 refusal of a body over its limit, on every OAuth-shaped endpoint. */
export const BODY_TOO_LARGE = "Request body too large.";

/**
 * Whether `s` holds NUL or half of a surrogate pair alone (JSON can escape one: `"\\ud800"`): PostgreSQL text
 * cannot hold the first and Prisma's query engine cannot read the second, so no stored value has either.
 */
export function isUnstorable(s: string): boolean {
  return s.includes("\u0000") || /\p{Cs}/u.test(s);
}

/**
 * A parameter name or value with a NUL character or a lone surrogate is refused: PostgreSQL text cannot hold a NUL
 * and Prisma's query engine cannot read a lone surrogate, so either would fail the store (a 500 or 503) instead of
 * being answered; no real client sends them.
 */
function checkStorable(k: string, v: string): void {
  if (isUnstorable(k) || isUnstorable(v)) {
    throw new InvalidRequest("Parameters must be well-formed Unicode without NUL characters.");
  }
}

/**
 * Parse a token request body: application/x-www-form-urlencoded (any charset parameter) or application/json.
 * Values must be strings (scalars in JSON are stringified, as Auth0's SDKs send them); a repeated form parameter
 * is refused, as RFC 6749 §3.2 requires, and so is a NUL character or a lone surrogate anywhere.
 */
export async function parseParams(req: TTokenRequest): Promise<Record<string, string>> {
  const mediaType = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const text = await req.readBody();
  if (mediaType === "application/x-www-form-urlencoded") {
    // A Map, so that a `__proto__` parameter is a parameter like any other (counted when repeated).
    const out = new Map<string, string>();
    for (const [k, v] of new URLSearchParams(text)) {
      if (out.has(k)) throw new InvalidRequest(`Parameter '${k}' must not be repeated.`);
      checkStorable(k, v);
      out.set(k, v);
    }
    return Object.fromEntries(out);
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
    const out = new Map<string, string>();
    for (const [k, v] of Object.entries(parsed)) {
      if (v === null || v === undefined) continue;
      let value: string;
      if (typeof v === "string") value = v;
      else if (typeof v === "number" || typeof v === "boolean") value = String(v);
      else throw new InvalidRequest(`Parameter '${k}' must be a string.`);
      checkStorable(k, value);
      out.set(k, value);
    }
    return Object.fromEntries(out);
  }
  throw new InvalidRequest("Content-Type must be application/x-www-form-urlencoded or application/json.");
}

/**
 * The body of a web Request as text for an OAuth-shaped endpoint (token, userinfo, MFA API): read only up to
 * `maxBytes`, chunked bodies too; a larger one is refused with a 413 `invalid_request`.
 */
export async function readBodyText(req: Request, maxBytes = TOKEN_MAX_BODY_BYTES): Promise<string> {
  const read = await readRequestText(req, maxBytes);
  if (!read.isWithinCap) throw new InvalidRequest(BODY_TOO_LARGE, 413);
  return read.text;
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
