import { InvalidRequest } from "../core/errors.ts";
import { isUnstorable, type TTokenRequest } from "../core/request.ts";

/** The largest /dbconnections body read: a signup with ten metadata values of 500 characters fits easily. */
export const DBCONNECTIONS_MAX_BODY_BYTES = 16 * 1024;

/** A /dbconnections body: strings, except `user_metadata` (a JSON object, or its JSON text in a form). */
export type TDbParams = { strings: Record<string, string>; userMetadata: unknown };

function checkStorable(k: string, v: string): void {
  if (isUnstorable(k) || isUnstorable(v)) {
    throw new InvalidRequest("Parameters must be well-formed Unicode without NUL characters.");
  }
}

/**
 * Parse a /dbconnections body, JSON (what node-auth0 and auth0.js send) or form-encoded. Scalars become strings;
 * nested values are refused except `user_metadata`, which signup validates itself. Repeated form fields, NULs and
 * lone surrogates are refused as at the token endpoint.
 */
export async function parseDbParams(req: TTokenRequest): Promise<TDbParams> {
  const mediaType = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const text = await req.readBody();
  const strings = new Map<string, string>();
  let userMetadata: unknown;
  if (mediaType === "application/x-www-form-urlencoded") {
    for (const [k, v] of new URLSearchParams(text)) {
      if (strings.has(k)) throw new InvalidRequest(`Parameter '${k}' must not be repeated.`);
      checkStorable(k, v);
      strings.set(k, v);
    }
    const meta = strings.get("user_metadata");
    strings.delete("user_metadata");
    if (meta !== undefined) {
      try {
        userMetadata = JSON.parse(meta);
      } catch {
        userMetadata = meta;
      }
    }
    return { strings: Object.fromEntries(strings), userMetadata };
  }
  if (mediaType !== "application/json") {
    throw new InvalidRequest("Content-Type must be application/json or application/x-www-form-urlencoded.");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidRequest("The request body is not valid JSON.");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new InvalidRequest("The request body must be a JSON object.");
  }
  for (const [k, v] of Object.entries(parsed)) {
    if (k === "user_metadata") {
      userMetadata = v;
      continue;
    }
    if (v === null || v === undefined) continue;
    let value: string;
    if (typeof v === "string") value = v;
    else if (typeof v === "number" || typeof v === "boolean") value = String(v);
    else throw new InvalidRequest(`Parameter '${k}' must be a string.`);
    checkStorable(k, value);
    strings.set(k, value);
  }
  return { strings: Object.fromEntries(strings), userMetadata };
}
