import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/**
 * What a sealed value is for. Each purpose has its own key and is bound as AAD, so a value sealed for one purpose
 * never opens as another (a rule setting's ciphertext is not an `mfa_token`, a TOTP seed is not a client secret).
 */
export const SEAL_PURPOSES = [
  "client-secret",
  "api-signing-secret",
  "signing-key",
  "user-totp-seed",
  "admin-totp-seed",
  "rule-setting",
  "action-secret",
  "mfa-token",
] as const;
export type TSealPurpose = (typeof SEAL_PURPOSES)[number];

/**
 * Whether a v1 value (one master key for everything, no AAD) still opens for the purpose. Secrets at rest: yes,
 * so stored data keeps working until it is re-sealed (at start), after a backup is restored, and while an older
 * server process still writes during a rolling upgrade. `mfa_token`: no. It lives ten minutes and is handed to
 * clients, so the cost is one repeated sign-in around the upgrade; accepting v1 would keep every v1 ciphertext of
 * attacker-chosen JSON (a rule setting, say, from a backup or export) usable as an `mfa_token` for any user.
 */
const OPENS_V1 = {
  "client-secret": true,
  "api-signing-secret": true,
  "signing-key": true,
  "user-totp-seed": true,
  "admin-totp-seed": true,
  "rule-setting": true,
  "action-secret": true,
  "mfa-token": false,
} as const satisfies Record<TSealPurpose, boolean>;

/** Authenticated encryption (AES-256-GCM) for secrets at rest and for `mfa_token`s, one subkey per purpose. */
export interface TSecretBox {
  seal(purpose: TSealPurpose, plaintext: string): string;
  /** Throws unless `sealed` was sealed for `purpose` with this master key and is intact. */
  open(purpose: TSealPurpose, sealed: string): string;
  /** True for values in an older format (v1), which the start-up re-seal rewrites. */
  isLegacy(sealed: string): boolean;
}

const V1 = "v1";
const V2 = "v2";
// Fixed salt (RFC 5869 §3.1: optional; the master key is already uniformly random). Changing it is a new version.
const HKDF_SALT = Buffer.from("portcullis secret box v2", "utf8");

const label = (purpose: TSealPurpose) => `portcullis/${purpose}`;

function isCanonicalBase64url(part: string): boolean {
  return /^[A-Za-z0-9_-]*$/.test(part) && Buffer.from(part, "base64url").toString("base64url") === part;
}

function decrypt(key: Buffer, iv: string, tag: string, ct: string, aad?: Buffer): string {
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
  if (aad) decipher.setAAD(aad);
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
}

/**
 * Build a secret box from a 32-byte master key. Sealed values look like `v2.<iv>.<tag>.<ciphertext>` (base64url):
 * AES-256-GCM under HKDF-SHA256(master key, salt, info "portcullis/<purpose>"), with that label as AAD. The
 * purpose is not written into the value: the caller names it, so an attacker cannot choose it.
 */
export function createSecretBox(masterKey: Buffer): TSecretBox {
  if (masterKey.length !== 32) throw new Error("The master key must be 32 bytes.");
  const subkeys = new Map<TSealPurpose, Buffer>();
  const subkey = (purpose: TSealPurpose): Buffer => {
    let key = subkeys.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync("sha256", masterKey, HKDF_SALT, label(purpose), 32));
      subkeys.set(purpose, key);
    }
    return key;
  };
  return {
    seal(purpose, plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", subkey(purpose), iv);
      cipher.setAAD(Buffer.from(label(purpose), "utf8"));
      const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return [
        V2,
        iv.toString("base64url"),
        cipher.getAuthTag().toString("base64url"),
        ct.toString("base64url"),
      ].join(".");
    },
    open(purpose, sealed) {
      const [version, iv, tag, ct, extra] = sealed.split(".");
      if (!iv || !tag || ct === undefined || extra !== undefined) throw new Error("Malformed sealed value.");
      // Node's base64url decoder skips characters outside the alphabet and ignores spare bits, so `token + "x"`
      // would open like the token itself: only the one spelling seal() writes is accepted.
      if (![iv, tag, ct].every(isCanonicalBase64url)) throw new Error("Malformed sealed value.");
      if (version === V2) return decrypt(subkey(purpose), iv, tag, ct, Buffer.from(label(purpose), "utf8"));
      if (version === V1 && OPENS_V1[purpose]) return decrypt(masterKey, iv, tag, ct);
      throw new Error("Malformed sealed value.");
    },
    isLegacy: (sealed) => sealed.startsWith(`${V1}.`),
  };
}
