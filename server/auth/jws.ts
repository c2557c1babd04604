import { createHmac, sign, type KeyObject } from "node:crypto";

/**
 * A compact JWS (RFC 7515) for tokens this server issues: RS256 with the tenant's RSA key, or HS256 with a shared
 * secret. jose verifies everything we receive; signing is done here with node:crypto. The RSA signature (about
 * 0.5–0.8 ms of CPU, the largest step of a login after the password hash) runs on libuv's thread pool, so the
 * event loop keeps serving other requests meanwhile. The header and payload are our own objects, so there is
 * nothing to validate that jose's builder would add.
 */
export async function signCompactJws(
  header: { alg: "RS256" | "HS256"; typ: "JWT"; kid?: string },
  payload: Record<string, unknown>,
  key: KeyObject | string,
): Promise<string> {
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const signature =
    header.alg === "HS256"
      ? createHmac("sha256", key).update(input).digest()
      : await rsaSha256(Buffer.from(input), key as KeyObject);
  return `${input}.${signature.toString("base64url")}`;
}

/** RSASSA-PKCS1-v1_5 with SHA-256 on the thread pool (node:crypto's `sign` with a callback). */
function rsaSha256(data: Buffer, key: KeyObject): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    sign("sha256", data, key, (err, signature) => (err ? reject(err) : resolve(signature))),
  );
}

function base64url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}
