import { readAdminBodyText, parseAdminJson } from "../../admin/read-admin-body.ts";
import { ManagementError } from "../management-error.ts";

// Request bodies of the users, user-blocks and tickets endpoints, checked the way Auth0's API checks them (a JSON
// schema): each refusal is a 400 `invalid_body` in Auth0's "Payload validation error: '…'" form naming the property.

/** The largest body read: two 16 KB metadata documents with room to spare. */
export const MANAGEMENT_MAX_BODY_BYTES = 64 * 1024;

export type TPayloadProperty =
  | { type: "string"; min?: number; max?: number; format?: "email" | "url"; nullable?: boolean }
  | { type: "boolean" }
  | { type: "integer"; min: number; max: number }
  | { type: "object"; nullable?: boolean };

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function invalid(problem: string, property?: string): ManagementError {
  return ManagementError.invalidBody(
    `Payload validation error: '${problem}'${property ? ` on property ${property}` : ""}.`,
  );
}

function isUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === "https:" || u.protocol === "http:";
  } catch {
    return false;
  }
}

/** The JSON object a request carries (a body over the size limit is a 413, malformed JSON Auth0's 400). */
export async function readPayload(req: Request): Promise<Record<string, unknown>> {
  const text = await readAdminBodyText(req, MANAGEMENT_MAX_BODY_BYTES);
  let body: unknown;
  try {
    body = text.trim() === "" ? {} : parseAdminJson(text);
  } catch {
    throw ManagementError.invalidBody("Invalid request payload JSON format");
  }
  if (typeOf(body) !== "object") throw invalid(`Expected type object but found type ${typeOf(body)}`);
  return body as Record<string, unknown>;
}

/**
 * Check `body` against `properties` (no others allowed) and `required`; throws the first problem as Auth0 words it.
 */
export function checkPayload(
  body: Record<string, unknown>,
  properties: Record<string, TPayloadProperty>,
  required: readonly string[] = [],
): void {
  const extra = Object.keys(body).filter((k) => !Object.hasOwn(properties, k));
  if (extra.length > 0) throw invalid(`Additional properties not allowed: ${extra.slice(0, 20).join(",")}`);
  for (const name of required)
    if (body[name] === undefined) throw invalid(`Missing required property: ${name}`);
  for (const [name, value] of Object.entries(body)) {
    const spec = properties[name]!;
    const actual = typeOf(value);
    if (value === null && "nullable" in spec && spec.nullable) continue;
    const matches = spec.type === actual || (spec.type === "integer" && actual === "integer");
    if (!matches) throw invalid(`Expected type ${spec.type} but found type ${actual}`, name);
    if (spec.type === "string") {
      const s = value as string;
      if (spec.min !== undefined && s.length < spec.min)
        throw invalid(`String is too short (${s.length} chars), minimum ${spec.min}`, name);
      if (spec.max !== undefined && s.length > spec.max)
        throw invalid(`String is too long (${s.length} chars), maximum ${spec.max}`, name);
      const bad =
        (spec.format === "email" && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s)) ||
        (spec.format === "url" && !isUrl(s));
      if (bad)
        throw invalid(`Object didn't pass validation for format ${spec.format}: ${s.slice(0, 100)}`, name);
    }
    if (spec.type === "integer") {
      const n = value as number;
      if (n < spec.min) throw invalid(`Value ${n} is less than minimum ${spec.min}`, name);
      if (n > spec.max) throw invalid(`Value ${n} is greater than maximum ${spec.max}`, name);
    }
  }
}

/** Auth0's limit on one metadata document: 16 KB of JSON. */
export const METADATA_MAX_CHARS = 16_384;

/** Refuse a metadata document over Auth0's size limit, naming it. */
export function checkMetadataSize(name: string, doc: Record<string, unknown>): void {
  const size = JSON.stringify(doc).length;
  if (size > METADATA_MAX_CHARS)
    throw invalid(`Metadata is too large (${size} chars), maximum ${METADATA_MAX_CHARS}`, name);
}
