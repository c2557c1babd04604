import { actionsJob, type TActionsScript } from "./actions-job.ts";
import { failedActionsResult } from "./actions-result.ts";
import { actionsPipelineSource, pipelineSource } from "./sandbox-source.ts";
import { compileAction, compileRule } from "./compile-pipeline.ts";
import { createIsolatePool } from "./isolate-pool.ts";
import { attemptRun, type TAttempt } from "./run-attempt.ts";
import { failedResult } from "./run-result.ts";
import { rulesJob } from "./rules-job.ts";
import {
  DEFAULT_RULES_LIMITS,
  type TCheckResult,
  type TRuleFailure,
  type TRulesLimits,
  type TRulesRunner,
} from "./types.ts";

/** Run until an attempt is not caught in an isolate another run killed (at most three times). */
async function withRetries<R>(
  attempt: () => Promise<TAttempt<R>>,
  crashed: (failure: TRuleFailure) => R,
): Promise<R> {
  for (let i = 0; ; i++) {
    const a = await attempt();
    if ("result" in a) return a.result;
    if (i >= 2) return crashed({ kind: "crashed", rule: null, message: "the sandbox was restarted" });
  }
}

/**
 * Build the rules runner: warm isolated-vm isolates per key, a fresh context per run, wall-clock limits per rule (or
 * action) and per pipeline, a heap limit per isolate. Anything a rule or action does comes back as a value; an
 * isolate that hit a limit is disposed and replaced on next use. Only strings cross the boundary (JSON in, JSON out,
 * string-typed capabilities).
 */
export function createRulesRunner(
  overrides: Partial<TRulesLimits> = {},
  /** Tests only: a different script around the rules or actions, to show what the host does if a bootstrap were bypassed. */
  internals: { pipelineSource?: typeof pipelineSource; actionsSource?: () => string } = {},
): TRulesRunner {
  const limits: TRulesLimits = { ...DEFAULT_RULES_LIMITS, ...overrides };
  const pool = createIsolatePool(limits);
  let runSeq = 0;
  const deps = { limits, pool, nextRunId: () => ++runSeq };
  const sourceOf = internals.pipelineSource ?? pipelineSource;
  // The same script for every actions run of this runner (and its pool): one cache id.
  const actionsScript: TActionsScript = {
    id: "actions:bootstrap",
    source: internals.actionsSource ?? actionsPipelineSource,
  };
  const check = async (compile: () => Promise<string | null>): Promise<TCheckResult> => {
    const problem = await compile();
    return problem ? { ok: false, message: problem } : { ok: true };
  };

  return {
    run: (input) =>
      withRetries(
        () => attemptRun(deps, rulesJob(input, limits, sourceOf)),
        (failure) =>
          failedResult({ ...failure, message: "the sandbox was restarted while the rules ran" }, [], 0),
      ),

    check: (script) => check(() => compileRule(pool.getSlot("__check__").isolate, script)),

    runActions: (input) =>
      withRetries(
        () => attemptRun(deps, actionsJob(input, limits, actionsScript)),
        (failure) =>
          failedActionsResult(
            { ...failure, message: "the sandbox was restarted while the actions ran" },
            [],
            0,
          ),
      ),

    checkAction: (code) => check(() => compileAction(pool.getSlot("__check__").isolate, code)),

    async stats() {
      const heaps = [];
      for (const slot of pool.slots()) {
        if (slot.isolate.isDisposed) continue;
        const h = await slot.isolate.getHeapStatistics();
        heaps.push({ key: slot.key, usedHeapBytes: h.used_heap_size, totalHeapBytes: h.total_heap_size });
      }
      return { isolates: heaps.length, heaps };
    },

    dispose() {
      for (const slot of [...pool.slots()]) pool.retire(slot);
    },
  };
}
