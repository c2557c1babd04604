import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
} from "node:crypto";
import type { JWK } from "jose";
import type { TSqlRunner } from "../store/raw-sql.ts";
import { insertCurrentKey, listPublishedKeys } from "../store/signing-keys.ts";
import type { TSecretBox } from "../crypto/secret-box.ts";
import type { TClock } from "../platform/clock.ts";

export type TSigningKey = { kid: string; alg: "RS256"; privateKey: KeyObject; publicKey: KeyObject };

export interface TKeyStore {
  /** The key new tokens are signed with; created on first use when none exists. */
  current(): Promise<TSigningKey>;
  /** Public keys of every published key (current and previous), as a JWKS. */
  jwks(): Promise<{ keys: JWK[] }>;
  /** Public key for a `kid`, if published. */
  publicKey(kid: string): Promise<KeyObject | null>;
  /** Generate a new current key; the old one stays published for verification. */
  rotate(): Promise<string>;
  /** Forget cached keys (after a rotation made elsewhere). */
  invalidate(): void;
}

// Short cache: another server process's rotation is picked up within this time without a query per request.
const CACHE_MS = 30_000;

/** Signing keys kept in the database, private halves sealed with the master key, cached in memory. */
export function createKeyStore(q: TSqlRunner, box: TSecretBox, clock: TClock): TKeyStore {
  let cache: { at: number; keys: (TSigningKey & { jwk: JWK })[] } | undefined;
  let loading: Promise<(TSigningKey & { jwk: JWK })[]> | undefined;

  async function load(): Promise<(TSigningKey & { jwk: JWK })[]> {
    let rows = await listPublishedKeys(q);
    if (!rows.some((r) => r.status === "current")) {
      await generate();
      rows = await listPublishedKeys(q);
    }
    // Newest current first, so two processes that raced to create a first key agree on the newest.
    rows.sort(
      (a, b) =>
        Number(b.status === "current") - Number(a.status === "current") ||
        b.createdAt.getTime() - a.createdAt.getTime(),
    );
    return rows.map((r) => {
      const privateKey = createPrivateKey(box.open("signing-key", r.privateKeyEnc));
      return {
        kid: r.kid,
        alg: "RS256" as const,
        privateKey,
        publicKey: createPublicKey(privateKey),
        jwk: JSON.parse(r.publicJwk) as JWK,
      };
    });
  }

  async function keys() {
    const now = Date.now();
    if (cache && now - cache.at < CACHE_MS) return cache.keys;
    loading ??= load().finally(() => {
      loading = undefined;
    });
    const loaded = await loading;
    cache = { at: now, keys: loaded };
    return loaded;
  }

  async function generate(): Promise<string> {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const kid = randomBytes(16).toString("base64url");
    const jwk = { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" };
    await insertCurrentKey(
      q,
      {
        kid,
        alg: "RS256",
        publicJwk: JSON.stringify(jwk),
        privateKeyEnc: box.seal(
          "signing-key",
          privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
        ),
      },
      clock.now(),
    );
    return kid;
  }

  return {
    async current() {
      const first = (await keys())[0];
      if (!first) throw new Error("No signing key available.");
      return first;
    },
    async jwks() {
      return { keys: (await keys()).map((k) => k.jwk) };
    },
    async publicKey(kid) {
      const found = (await keys()).find((k) => k.kid === kid);
      if (found) return found.publicKey;
      // Unknown kid: maybe rotated by another process moments ago.
      cache = undefined;
      return (await keys()).find((k) => k.kid === kid)?.publicKey ?? null;
    },
    async rotate() {
      const kid = await generate();
      cache = undefined;
      return kid;
    },
    invalidate() {
      cache = undefined;
    },
  };
}
