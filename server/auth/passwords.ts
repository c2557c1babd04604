import { hash as argon2Hash, verify as argon2Verify } from "@node-rs/argon2";
import { verify as bcryptVerify } from "@node-rs/bcrypt";
import { availableParallelism } from "node:os";

export type TArgon2Params = { memoryKiB: number; iterations: number; parallelism: number };

// @node-rs/argon2 exports Algorithm as a const enum, which isolatedModules cannot inline; 2 is Argon2id.
const ARGON2ID = 2;

export interface TPasswordHasher {
  readonly params: TArgon2Params;
  hash(password: string): Promise<string>;
  /** Verifies against an Argon2 or bcrypt PHC/MCF string. Unknown formats never verify. */
  verify(stored: string, password: string): Promise<boolean>;
  /** True when the stored hash is not Argon2id at the current parameters (bcrypt imports, weaker params). */
  needsRehash(stored: string): boolean;
  /** Costs one verification at current parameters; used for unknown users so timing does not reveal them. */
  verifyDummy(password: string): Promise<void>;
}

const BCRYPT_RE = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;
const ARGON2_RE = /^\$argon2(id|i|d)\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$/;
const ARGON2_PHC_RE = /^\$argon2(?:id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

/** A bcrypt hash this hasher can verify ($2a$, $2b$, $2y$). */
export function isBcryptHash(value: string): boolean {
  return BCRYPT_RE.test(value);
}

/** A complete Argon2 (id, i or d) PHC string this hasher can verify. */
export function isArgon2Hash(value: string): boolean {
  return ARGON2_PHC_RE.test(value);
}

/**
 * A counting semaphore. Hashes beyond the number of cores only thrash caches (each Argon2 pass walks its whole
 * memory block) and starve the event loop, so they wait here instead, as Keycloak's argon2 CPU-cores setting does.
 */
function createSemaphore(size: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
    if (active >= size) await new Promise<void>((r) => waiting.push(r));
    else active++;
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

/** Build the password hasher: Argon2id for new hashes, verification of imported Argon2 and bcrypt hashes. */
export function createPasswordHasher(
  params: TArgon2Params,
  concurrency = availableParallelism(),
): TPasswordHasher {
  const withSlot = createSemaphore(Math.max(1, concurrency));
  const options = {
    algorithm: ARGON2ID,
    memoryCost: params.memoryKiB,
    timeCost: params.iterations,
    parallelism: params.parallelism,
  };
  // Computed lazily once; verifying against it has the same cost as a real user's hash.
  let dummy: Promise<string> | undefined;

  const hasher: TPasswordHasher = {
    params,
    hash: (password) => withSlot(() => argon2Hash(password, options)),
    async verify(stored, password) {
      try {
        if (ARGON2_RE.test(stored)) return await withSlot(() => argon2Verify(stored, password));
        if (BCRYPT_RE.test(stored))
          return await withSlot(() => bcryptVerify(password, stored.replace(/^\$2y\$/, "$2b$")));
      } catch {
        return false;
      }
      return false;
    },
    needsRehash(stored) {
      const m = ARGON2_RE.exec(stored);
      if (!m || m[1] !== "id") return true;
      return (
        Number(m[3]) !== params.memoryKiB ||
        Number(m[4]) !== params.iterations ||
        Number(m[5]) !== params.parallelism
      );
    },
    async verifyDummy(password) {
      dummy ??= argon2Hash("portcullis-dummy-password", options);
      const h = await dummy;
      await withSlot(() => argon2Verify(h, password)).catch(() => false);
    },
  };
  return hasher;
}
