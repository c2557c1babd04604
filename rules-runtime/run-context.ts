import ivm from "isolated-vm";
import { SHARED_BYTES, openProgress, type TProgress } from "./shared-progress.ts";

/** What the sandbox's capability functions call into, for the one run that uses the context. */
export type TRunHooks = {
  sleep(id: unknown, ms: unknown): void;
  fetch(id: unknown, request: unknown): void;
  done(text: unknown): void;
};

/**
 * A fresh context whose capability functions are already in place. They are installed with asynchronous `set`s
 * while the context is a spare, off the login's path: the event loop never waits for the isolate's lock. The hooks
 * are bound once, to the run that takes the context; a context serves one run only.
 *
 * The capabilities are synchronous callbacks: the isolate waits for each call to be handled. Fire-and-forget
 * callbacks would let code holding one queue calls (each with a copy of its arguments) faster than the event loop
 * drains them, and isolated-vm drains a queue in one go, so no kill could land before the process ran out of
 * memory. Synchronous, a call past a limit is the last one: the hook disposes the isolate while it waits.
 */
export type TPrepared = {
  context: ivm.Context;
  progress: TProgress;
  bind(hooks: TRunHooks): void;
  /** A warm context between runs: capability calls are dropped until the next run binds its hooks. */
  unbind(): void;
};

/** What preparing contexts needs of an isolate's slot. */
export type TContextHost = {
  isolate: ivm.Isolate;
  /** A fresh, never used context made after the previous run, so a login does not wait for one. */
  spare: Promise<TPrepared> | null;
  isRetired: boolean;
  /** Shared blocks of finished runs, for the next contexts (see TSlot). */
  sharedPool: SharedArrayBuffer[];
};

/**
 * A fresh context with its capability functions in place. `reusable`: a warm context that serves one run after
 * another (bind, run, unbind); otherwise it serves one run only.
 */
export async function prepareContext(slot: TContextHost, reusable = false): Promise<TPrepared> {
  const isolate = slot.isolate;
  const context = await isolate.createContext();
  let hooks: TRunHooks | null = null;
  const jail = context.global;
  const hook = (name: string, call: (h: TRunHooks, a: unknown, b: unknown) => void) =>
    jail.set(
      name,
      new ivm.Callback(
        (a: unknown, b: unknown) => {
          if (hooks) call(hooks, a, b);
        },
        { sync: true },
      ),
    );
  const buffer = slot.sharedPool.pop() ?? new SharedArrayBuffer(SHARED_BYTES);
  const progress = openProgress(buffer);
  try {
    await Promise.all([
      jail.set("__pc_progress", new ivm.ExternalCopy(buffer).copyInto({ release: true })),
      hook("__pc_sleep", (h, id, ms) => h.sleep(id, ms)),
      hook("__pc_fetch", (h, id, request) => h.fetch(id, request)),
      hook("__pc_done", (h, text) => h.done(text)),
    ]);
  } catch (err) {
    context.release();
    throw err;
  }
  return {
    context,
    progress,
    bind(h) {
      if (hooks)
        throw new Error(
          reusable ? "a warm context serves one run at a time" : "a rules context serves one run only",
        );
      hooks = h;
    },
    unbind() {
      if (!reusable) throw new Error("a rules context serves one run only");
      hooks = null;
    },
  };
}

/** The slot's spare context, or a new one: the run's own from here on. */
export function takeContext(slot: TContextHost): Promise<TPrepared> {
  const ready = slot.spare ?? prepareContext(slot);
  slot.spare = null;
  return ready;
}

/** Start preparing the next run's context now, unless the slot is going away or already has one. */
export function prepareSpare(slot: TContextHost): void {
  if (slot.isRetired || slot.isolate.isDisposed || slot.spare) return;
  const spare = prepareContext(slot);
  spare.catch(() => undefined);
  slot.spare = spare;
}
