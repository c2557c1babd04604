import { readRequestText } from "../platform/read-body.ts";
import { AdminError } from "./admin-error.ts";
import { isUnstorable } from "../oauth/core/request.ts";

/**
 * The largest admin API body read: room for a rule script at its 100 KiB limit with every character escaped in
 * JSON, plus the Try API's sample user and context. Everything else the dashboard sends is a few KB.
 */
export const ADMIN_MAX_BODY_BYTES = 1024 * 1024;

/**
 * An admin API request body as text, read only up to `maxBytes` (chunked bodies too); a larger one is an
 * AdminError 413, which each admin API family answers in its own error body.
 */
export async function readAdminBodyText(req: Request, maxBytes = ADMIN_MAX_BODY_BYTES): Promise<string> {
  const read = await readRequestText(req, maxBytes);
  if (!read.isWithinCap) throw AdminError.tooLarge(maxBytes);
  return read.text;
}

/**
 * JSON.parse for admin API bodies, which also refuses (throws, as for malformed JSON) any name or string holding
 * NUL or a lone surrogate (`"\\u0000"`, `"\\ud800"` are valid JSON): PostgreSQL text cannot hold the first and
 * Prisma's query engine cannot read the second, so saving either would fail with a 500 instead of a 400.
 */
export function parseAdminJson(text: string): unknown {
  return JSON.parse(text, (key, value: unknown) => {
    if (isUnstorable(key) || (typeof value === "string" && isUnstorable(value))) {
      throw new SyntaxError("NUL or a lone surrogate in a JSON string");
    }
    return value;
  }) as unknown;
}

/**
 * A dashboard form's JSON body, or null when it is missing or malformed: the use case then refuses it with its
 * own message. Only a body over the cap is refused here.
 */
export async function readAdminJson(req: Request): Promise<unknown> {
  const text = await readAdminBodyText(req);
  try {
    return parseAdminJson(text);
  } catch {
    return null;
  }
}
