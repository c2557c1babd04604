import type ivm from "isolated-vm";
import { readFetchRequest, fetchWithLimits, type TFetchBudget } from "./fetch-capability.ts";
import type { TRunHooks } from "./run-context.ts";
import type { TRulesLimits } from "./types.ts";

/** What the capability hooks need of the one run they serve. */
export type TCapabilityRun = {
  context: ivm.Context;
  limits: TRulesLimits;
  budget: TFetchBudget;
  /** The run's pending sleeps; the run clears what is left when it ends. */
  timers: Set<ReturnType<typeof setTimeout>>;
  /** The run has its outcome: replies and calls from now on are dropped. */
  isFinished(): boolean;
  /** The run was stopped for abusing a capability: calls from now on are dropped. */
  isStopped(): boolean;
  /** Stop the run at once: a capability was called in a way the bootstrap never does. */
  abuse(what: string): void;
  /** Count an execution in the isolate (a reply) as the run's until it ends. */
  track(p: Promise<unknown>): void;
  /** The result, when it comes through the done capability. */
  done(text: string): void;
};

/**
 * The host side of the sandbox's capabilities for one run: sleep and fetch answered asynchronously through the
 * bootstrap's `__pc_settle`, and the result through done. `release` drops the run's reference to `__pc_settle`.
 */
export function createCapabilityHooks(run: TCapabilityRun): { hooks: TRunHooks; release(): void } {
  const { limits, budget, timers } = run;
  const ctx = run.context;
  let sleeps = 0;
  let fetches = 0;
  const settleRef: { current: Promise<ivm.Reference<(id: number, text: string) => void>> | null } = {
    current: null,
  };
  /** Answer an asynchronous capability call: one async apply into the sandbox with the reply text. */
  const settle = (id: number, text: string) => {
    if (run.isFinished()) return;
    settleRef.current ??= ctx.global.get("__pc_settle", { reference: true });
    run.track(
      settleRef.current.then((ref) => ref.apply(undefined, [id, text], { timeout: limits.ruleTimeoutMs })),
    );
  };
  const isCallId = (id: unknown): id is number => typeof id === "number" && Number.isInteger(id) && id > 0;
  const isOver = () => run.isFinished() || run.isStopped();
  // The bootstrap calls each capability with checked arguments and within its budget; anything else means a
  // rule got hold of the raw function, and the run ends at once. Calls after the run ended are dropped.
  const hooks: TRunHooks = {
    sleep(id, ms) {
      if (isOver()) return;
      if (!isCallId(id) || typeof ms !== "number" || !Number.isFinite(ms))
        return run.abuse("sleep capability got malformed arguments");
      if (++sleeps > limits.maxTimers)
        return run.abuse(`sleep capability was called over ${limits.maxTimers} times`);
      const t = setTimeout(
        () => {
          timers.delete(t);
          settle(id, "null");
        },
        Math.max(0, Math.min(ms, limits.pipelineTimeoutMs)),
      );
      timers.add(t);
    },
    fetch(id, request) {
      if (isOver()) return;
      if (!isCallId(id) || typeof request !== "string" || request.length > limits.fetchMaxRequestBytes)
        return run.abuse("fetch capability got malformed arguments");
      if (++fetches > limits.fetchMaxRequests)
        return run.abuse(`fetch capability was called over ${limits.fetchMaxRequests} times`);
      const parsed = readFetchRequest(request, limits.fetchMaxRequestBytes);
      void (async () => {
        const reply = "error" in parsed ? parsed : await fetchWithLimits(parsed, budget);
        settle(id, JSON.stringify(reply));
      })();
    },
    done(text) {
      if (isOver()) return;
      if (typeof text !== "string") return run.abuse("done capability got a non-string result");
      run.done(text);
    },
  };
  return {
    hooks,
    release() {
      void settleRef.current?.then((ref) => ref.release()).catch(() => undefined);
    },
  };
}
