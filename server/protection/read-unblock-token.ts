import { readRequestBytes } from "../platform/read-body.ts";

/** The unblock form carries one signed token of a few hundred bytes. */
const MAX_BODY_BYTES = 4 * 1024;

/**
 * The `token` field of the unblock page's form (url-encoded or multipart, as a browser sends it), read under a
 * byte cap; null when it is missing, the body is malformed or over the cap (the page then says the link is not
 * valid).
 */
export async function readUnblockToken(req: Request): Promise<string | null> {
  const read = await readRequestBytes(req, MAX_BODY_BYTES);
  if (!read.isWithinCap) return null;
  const contentType = req.headers.get("content-type") ?? "";
  const form = await new Response(read.bytes, { headers: { "content-type": contentType } })
    .formData()
    .catch(() => null);
  const token = form?.get("token");
  return typeof token === "string" ? token : null;
}
