import ivm from "isolated-vm";
import type { TCompiled } from "./compile-pipeline.ts";
import type { TPrepared } from "./run-context.ts";
import type { TRulesLimits } from "./types.ts";
import type { TWarmContext } from "./warm-contexts.ts";

/** One warm isolate and what lives with it from run to run. */
export type TSlot = {
  key: string;
  isolate: ivm.Isolate;
  scripts: Map<string, Promise<TCompiled>>;
  /** JSON of the rules' `global` cache, carried from run to run in this isolate only. */
  globalCache: string;
  runs: number;
  /** A fresh, never used context made after the previous run, so a login does not wait for one. */
  spare: Promise<TPrepared> | null;
  /** Run that asked for this isolate to be disposed (a limit hit); other runs caught in it are retried. */
  killedBy: number | null;
  isRetired: boolean;
  /**
   * Shared blocks of finished runs, for the next contexts. Each context's block stays reachable from the isolate
   * until its garbage collector gets to the context, which a small heap seldom needs: a fresh 72 KB block per login
   * added some 170 MB to the server's peak RSS under load.
   */
  sharedPool: SharedArrayBuffer[];
  /** Idle warm Actions contexts (warm-contexts.ts), least recently used first; they go with the isolate. */
  warm: TWarmContext[];
};

export type TIsolatePool = {
  /** The warm isolate for this key (most recently used from now on), or a new one, evicting the least used. */
  getSlot(key: string): TSlot;
  /** Dispose of the slot's isolate; the next getSlot for its key makes a new one. */
  retire(slot: TSlot): void;
  /** The slots in use, least recently used first. */
  slots(): IterableIterator<TSlot>;
};

/** Warm isolates by key, at most `maxIsolates` (LRU), each replaced after `maxRunsPerIsolate` runs. */
export function createIsolatePool(
  limits: Pick<TRulesLimits, "maxIsolates" | "maxRunsPerIsolate" | "memoryLimitMb">,
): TIsolatePool {
  const slots = new Map<string, TSlot>();

  function retire(slot: TSlot): void {
    slot.isRetired = true;
    if (slots.get(slot.key) === slot) slots.delete(slot.key);
    slot.spare?.catch(() => undefined);
    slot.warm.length = 0;
    try {
      if (!slot.isolate.isDisposed) slot.isolate.dispose();
    } catch {
      // Already gone.
    }
  }

  function getSlot(key: string): TSlot {
    let slot = slots.get(key);
    if (slot && (slot.isolate.isDisposed || slot.runs >= limits.maxRunsPerIsolate)) {
      retire(slot);
      slot = undefined;
    }
    if (slot) {
      // Map order is the LRU order.
      slots.delete(key);
      slots.set(key, slot);
      return slot;
    }
    while (slots.size >= limits.maxIsolates) {
      const oldest = slots.values().next().value;
      if (!oldest) break;
      retire(oldest);
    }
    slot = {
      key,
      isolate: new ivm.Isolate({ memoryLimit: limits.memoryLimitMb }),
      scripts: new Map(),
      globalCache: "{}",
      runs: 0,
      spare: null,
      killedBy: null,
      isRetired: false,
      sharedPool: [],
      warm: [],
    };
    slots.set(key, slot);
    return slot;
  }

  return { getSlot, retire, slots: () => slots.values() };
}
