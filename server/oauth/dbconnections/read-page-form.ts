import { readRequestText } from "../../platform/read-body.ts";

/** A hosted page's form: a ticket, a form token and two passwords, well under this. */
const MAX_FORM_BYTES = 4 * 1024;

/**
 * The fields of a hosted page's form (url-encoded, as a browser sends it without script), read under a byte cap;
 * null when the body is over the cap or not a form.
 */
export async function readPageForm(req: Request): Promise<Record<string, string> | null> {
  const mediaType = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (mediaType !== "application/x-www-form-urlencoded") return null;
  const read = await readRequestText(req, MAX_FORM_BYTES).catch(() => null);
  if (!read?.isWithinCap) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(read.text)) {
    if (Object.hasOwn(out, k)) return null;
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
