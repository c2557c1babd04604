import { hash as argon2Hash, verify as argon2Verify } from "@node-rs/argon2";
import { hash as bcryptHash, verify as bcryptVerify } from "@node-rs/bcrypt";
import { availableParallelism } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";

export type TArgon2Params = { memoryKiB: number; iterations: number; parallelism: number };

// @node-rs/argon2 exports Algorithm and Version as const enums, which isolatedModules cannot inline.
const ARGON2_ALGORITHM = { d: 0, i: 1, id: 2 } as const;
const ARGON2_V0x10 = 0;
const ARGON2_V0x13 = 1;

export interface TPasswordHasher {
  readonly params: TArgon2Params;
  hash(password: string): Promise<string>;
  /**
   * Verifies against an Argon2 or bcrypt PHC/MCF string. Unknown formats never verify. A `false` answer takes at
   * least the failure floor (see below), whatever the stored hash's kind and cost.
   */
  verify(stored: string, password: string): Promise<boolean>;
  /** True when the stored hash is not Argon2id at the current parameters (bcrypt imports, weaker params). */
  needsRehash(stored: string): boolean;
  /**
   * For unknown users (and locked admins): one verification at current parameters, then the failure floor, so the
   * answer takes as long as a wrong password for any stored user.
   */
  verifyDummy(password: string): Promise<void>;
  /**
   * Tell the hasher which kinds of stored hash exist (whole hashes or their `$2b$12$` / `$argon2id$v=19$m=…$`
   * prefixes), so the failure floor covers them before the first of them is verified. Kinds it has not met are
   * timed once on a throwaway hash.
   */
  learnStoredHashKinds(hashesOrPrefixes: Iterable<string>): Promise<void>;
  /** The current failure floor in ms (for the benchmark and the metrics; not a secret). */
  failureFloorMs(): number;
}

const BCRYPT_RE = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;
const BCRYPT_PREFIX_RE = /^\$2[aby]\$(\d{2})\$/;
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

/** What a verification costs is fixed by the hash's algorithm and parameters: its "kind". */
type THashKind =
  | { alg: "bcrypt"; cost: number }
  | {
      alg: "argon2";
      variant: keyof typeof ARGON2_ALGORITHM;
      version: number;
      m: number;
      t: number;
      p: number;
    };

/** The kind of a stored hash or of its prefix, or null for formats this hasher does not verify. */
function hashKindOf(value: string): THashKind | null {
  const b = BCRYPT_PREFIX_RE.exec(value);
  if (b) return { alg: "bcrypt", cost: Number(b[1]) };
  const a = ARGON2_RE.exec(value);
  if (!a) return null;
  return {
    alg: "argon2",
    variant: a[1] as keyof typeof ARGON2_ALGORITHM,
    version: Number(a[2]),
    m: Number(a[3]),
    t: Number(a[4]),
    p: Number(a[5]),
  };
}

function kindKey(k: THashKind): string {
  return k.alg === "bcrypt"
    ? `bcrypt:${k.cost}`
    : `argon2${k.variant}:v=${k.version}:m=${k.m},t=${k.t},p=${k.p}`;
}

// Kinds timed on a throwaway hash only up to these costs: a hostile or broken import must not make start-up hash
// for minutes or allocate gigabytes. Costlier kinds still raise the floor once a real verification has timed them.
const MAX_CALIBRATED_BCRYPT_COST = 14;
const MAX_CALIBRATED_ARGON2_KIB = 1 << 20;

/**
 * Failure floor: a failed check (wrong password, unknown user) is answered no sooner than FLOOR_MARGIN × the
 * FLOOR_QUANTILE of the recent verification times of the costliest stored kind. Measured, not configured: the
 * cost of a kind depends on the machine and its load.
 */
const SAMPLES_PER_KIND = 32;
const FLOOR_QUANTILE = 0.9;
const FLOOR_MARGIN = 1.5;
const CALIBRATION_SAMPLES = 3;

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

type TKindCost = { kind: THashKind; samples: number[]; dummy?: string; estimate: number };

/** Recent verification times per hash kind; the failure floor is read from the costliest. */
function createCostTable() {
  const kinds = new Map<string, TKindCost>();
  let floor = 0;
  let costliestDummy: { kind: THashKind; hash: string } | undefined;
  const quantile = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(FLOOR_QUANTILE * sorted.length))] ?? 0;
  };
  const entry = (kind: THashKind) => {
    const key = kindKey(kind);
    let e = kinds.get(key);
    if (!e) kinds.set(key, (e = { kind, samples: [], estimate: 0 }));
    return e;
  };
  // Recomputed on each sample (≤ 32 numbers per kind, a handful of kinds), read on every failure.
  const recompute = () => {
    floor = 0;
    let best = -1;
    costliestDummy = undefined;
    for (const e of kinds.values()) {
      floor = Math.max(floor, e.estimate * FLOOR_MARGIN);
      if (e.dummy && e.estimate > best) {
        best = e.estimate;
        costliestDummy = { kind: e.kind, hash: e.dummy };
      }
    }
  };
  return {
    hasDummy: (kind: THashKind) => kinds.get(kindKey(kind))?.dummy !== undefined,
    setDummy(kind: THashKind, hash: string) {
      entry(kind).dummy = hash;
      recompute();
    },
    add(kind: THashKind, ms: number) {
      const e = entry(kind);
      e.samples.push(ms);
      if (e.samples.length > SAMPLES_PER_KIND) e.samples.shift();
      e.estimate = quantile(e.samples);
      recompute();
    },
    floor: () => floor,
    /** A throwaway hash of the costliest kind known, to verify unknown users against. */
    costliestDummy: () => costliestDummy,
  };
}

/**
 * Build the password hasher: Argon2id for new hashes, verification of imported Argon2 and bcrypt hashes.
 *
 * Timing (issue 13 item 5): a failed verification of a bcrypt cost-12 hash takes far longer than one of an
 * Argon2id hash at current parameters, and an unknown user used to cost only the latter, so the answer's time
 * told an attacker which accounts exist (and which were imported). A stored hash's cost is whatever it was made
 * with, so the unknown-user path copies the costliest: it verifies against a throwaway hash of the costliest
 * stored kind (same work, so the two also match when the CPU is contended), and every failed check, real or
 * dummy, is answered no sooner than the failure floor (FLOOR_MARGIN × that kind's recent FLOOR_QUANTILE
 * verification time) after its hash work began, so users with cheaper hashes take as long too. The floor is a
 * timer, not CPU. Successful checks are not padded: whoever sees one already holds the password. Both only cover
 * kinds the process knows: createDeps feeds `learnStoredHashKinds` the kinds in the database at start, imports
 * feed it theirs, and every kind verified is timed.
 */
export function createPasswordHasher(
  params: TArgon2Params,
  concurrency = availableParallelism(),
  /** Each computation's time (slot wait and work, never the failure floor's wait), for the metrics. */
  observe: (operation: "verify" | "hash" | "dummy", seconds: number) => void = () => {},
): TPasswordHasher {
  const withSlot = createSemaphore(Math.max(1, concurrency));
  const options = {
    algorithm: ARGON2_ALGORITHM.id,
    memoryCost: params.memoryKiB,
    timeCost: params.iterations,
    parallelism: params.parallelism,
  };
  const costs = createCostTable();
  const currentKind: THashKind = {
    alg: "argon2",
    variant: "id",
    version: 19,
    m: params.memoryKiB,
    t: params.iterations,
    p: params.parallelism,
  };
  // Computed lazily once; verifying against it has the same cost as a real user's hash.
  let dummy: Promise<string> | undefined;
  const dummyHash = () => (dummy ??= argon2Hash("portcullis-dummy-password", options));

  async function verifyKind(kind: THashKind, stored: string, password: string): Promise<boolean> {
    if (kind.alg === "bcrypt") return bcryptVerify(password, stored.replace(/^\$2y\$/, "$2b$"));
    return argon2Verify(stored, password);
  }

  /** One verification in a hashing slot; its time is learnt for the kind. The floor counts from `started`. */
  async function timedVerify(
    kind: THashKind | null,
    stored: string,
    password: string,
  ): Promise<{ ok: boolean; started: number }> {
    return withSlot(async () => {
      const started = performance.now();
      if (!kind) return { ok: false, started };
      try {
        const ok = await verifyKind(kind, stored, password);
        costs.add(kind, performance.now() - started);
        return { ok, started };
      } catch {
        return { ok: false, started };
      }
    });
  }

  /** Answer a failure no sooner than the floor after its hash work began (the slot wait is the same for all). */
  async function padFailure(started: number): Promise<void> {
    const left = started + costs.floor() - performance.now();
    if (left > 0) await sleep(left);
  }

  async function throwawayHash(kind: THashKind): Promise<string | null> {
    const pw = "portcullis-calibration";
    if (kind.alg === "bcrypt") {
      if (kind.cost < 4 || kind.cost > MAX_CALIBRATED_BCRYPT_COST) return null;
      return bcryptHash(pw, kind.cost);
    }
    if (kind.m > MAX_CALIBRATED_ARGON2_KIB || kind.t > 64 || kind.p > 16) return null;
    return argon2Hash(pw, {
      algorithm: ARGON2_ALGORITHM[kind.variant],
      version: kind.version === 16 ? ARGON2_V0x10 : ARGON2_V0x13,
      memoryCost: kind.m,
      timeCost: kind.t,
      parallelism: kind.p,
    });
  }

  const hasher: TPasswordHasher = {
    params,
    async hash(password) {
      const t0 = performance.now();
      try {
        return await withSlot(() => argon2Hash(password, options));
      } finally {
        observe("hash", (performance.now() - t0) / 1000);
      }
    },
    async verify(stored, password) {
      const t0 = performance.now();
      const r = await timedVerify(hashKindOf(stored), stored, password);
      observe("verify", (performance.now() - t0) / 1000);
      if (!r.ok) await padFailure(r.started);
      return r.ok;
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
      // The costliest kind's throwaway hash: the same work as the slowest known user's wrong password, so the two
      // also match under CPU contention, where a timer floor alone would not.
      let target = costs.costliestDummy();
      if (!target) {
        const h = await dummyHash();
        const kind = hashKindOf(h);
        if (kind) costs.setDummy(kind, h);
        target = { kind: kind ?? currentKind, hash: h };
      }
      const t0 = performance.now();
      const r = await timedVerify(target.kind, target.hash, password);
      observe("dummy", (performance.now() - t0) / 1000);
      await padFailure(r.started);
    },
    async learnStoredHashKinds(hashesOrPrefixes) {
      const kinds = new Map<string, THashKind>();
      for (const k of [currentKind, ...[...hashesOrPrefixes].map(hashKindOf)])
        if (k && !costs.hasDummy(k)) kinds.set(kindKey(k), k);
      for (const kind of kinds.values()) {
        const h = await (kind === currentKind ? dummyHash() : withSlot(() => throwawayHash(kind))).catch(
          () => null,
        );
        if (!h) continue;
        costs.setDummy(kind, h);
        // Wrong passwords, as failed logins would: the times are learnt by timedVerify. Three, so one lucky or
        // unlucky sample does not set the floor until real logins have refined it.
        for (let i = 0; i < CALIBRATION_SAMPLES; i++)
          await timedVerify(kind, h, "portcullis-calibration-wrong");
      }
    },
    failureFloorMs: () => costs.floor(),
  };
  return hasher;
}
