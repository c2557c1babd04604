import type ivm from "isolated-vm";
import { prepareContext, type TContextHost, type TPrepared } from "./run-context.ts";
import { openProgress } from "./shared-progress.ts";

/**
 * A context kept warm for one flow of post-login Actions: the bootstrap ran once in it (its modules compiled, its
 * built-ins frozen), and `entry` runs one login. It serves one run at a time, and only runs of that flow: its id is
 * the flow's (names, code, clock offset).
 */
export type TWarmContext = {
  flowId: string;
  prepared: TPrepared;
  entry: ivm.Reference<(text: string) => void>;
  /** Logins it has served. */
  runs: number;
};

/** What warm contexts need of an isolate's slot. */
export type TWarmHost = TContextHost & {
  /** Idle warm contexts, least recently used first. */
  warm: TWarmContext[];
};

/**
 * Idle warm contexts kept per isolate, over every flow. One is enough for logins that do not overlap; an action
 * waiting on a timer or fetch while another login starts takes a second one. Each holds its modules' state (lodash is
 * about 1 MB of heap), inside the isolate's memory limit.
 */
export const MAX_IDLE_WARM_CONTEXTS = 4;

/**
 * Logins a warm context serves before a fresh one takes over: module state an action grows login after login (a
 * cache that is never pruned) stays bounded, and one install per this many logins costs nothing measurable.
 */
export const MAX_RUNS_PER_WARM_CONTEXT = 1000;

/** An idle warm context of this flow, now the caller's, or null. */
export function takeWarmContext(slot: TWarmHost, flowId: string): TWarmContext | null {
  for (let i = slot.warm.length - 1; i >= 0; i--) {
    const w = slot.warm[i]!;
    if (w.flowId !== flowId) continue;
    slot.warm.splice(i, 1);
    return w;
  }
  return null;
}

/**
 * A new warm context for this flow: a fresh context, the install script run in it with `installInput` (which holds
 * the actions' code), and the entry it returns. No action code runs here: modules are evaluated by the first login
 * that reaches them.
 */
export async function installWarmContext(
  slot: TWarmHost,
  flowId: string,
  script: ivm.Script,
  installInput: string,
  timeoutMs: number,
): Promise<TWarmContext> {
  const prepared = await prepareContext(slot, true);
  try {
    await prepared.context.global.set("__pc_in", installInput);
    const entry = (await script.run(prepared.context, {
      reference: true,
      timeout: timeoutMs,
    })) as ivm.Reference<(text: string) => void>;
    if (entry.typeof !== "function") {
      entry.release();
      throw new Error("the actions bootstrap returned no entry");
    }
    return { flowId, prepared, entry, runs: 0 };
  } catch (err) {
    prepared.context.release();
    throw err;
  }
}

/** Ready a warm context for its next run: its shared progress reads "nothing yet". */
export function resetWarmContext(w: TWarmContext): void {
  w.prepared.progress = openProgress(w.prepared.progress.buffer);
}

/** Keep a warm context that ended its run cleanly for the next login of its flow (evicting the oldest past the cap). */
export function keepWarmContext(slot: TWarmHost & { isRetired: boolean }, w: TWarmContext): void {
  w.prepared.unbind();
  if (slot.isRetired || ++w.runs >= MAX_RUNS_PER_WARM_CONTEXT) return dropWarmContext(w);
  slot.warm.push(w);
  while (slot.warm.length > MAX_IDLE_WARM_CONTEXTS) dropWarmContext(slot.warm.shift()!);
}

/** Release a warm context that will not run again. */
export function dropWarmContext(w: TWarmContext): void {
  try {
    w.entry.release();
    w.prepared.context.release();
  } catch {
    // The isolate is gone; so is the context.
  }
}
