import { pipelineSource } from "./sandbox-source.ts";
import { compileRule } from "./compile-pipeline.ts";
import { createIsolatePool } from "./isolate-pool.ts";
import { attemptRun } from "./run-attempt.ts";
import { failedResult } from "./run-result.ts";
import { DEFAULT_RULES_LIMITS, type TCheckResult, type TRulesLimits, type TRulesRunner } from "./types.ts";

/**
 * Build the rules runner: warm isolated-vm isolates per key, a fresh context per run, wall-clock limits per rule and
 * per pipeline, a heap limit per isolate. Anything a rule does comes back as a value; an isolate that hit a limit is
 * disposed and replaced on next use. Only strings cross the boundary (JSON in, JSON out, string-typed capabilities).
 */
export function createRulesRunner(
  overrides: Partial<TRulesLimits> = {},
  /** Tests only: a different script around the rules, to show what the host does if a bootstrap were bypassed. */
  internals: { pipelineSource?: typeof pipelineSource } = {},
): TRulesRunner {
  const limits: TRulesLimits = { ...DEFAULT_RULES_LIMITS, ...overrides };
  const pool = createIsolatePool(limits);
  let runSeq = 0;
  const deps = {
    limits,
    pool,
    sourceOf: internals.pipelineSource ?? pipelineSource,
    nextRunId: () => ++runSeq,
  };

  return {
    async run(input) {
      for (let i = 0; ; i++) {
        const a = await attemptRun(deps, input);
        if ("result" in a) return a.result;
        if (i >= 2) {
          return failedResult(
            { kind: "crashed", rule: null, message: "the sandbox was restarted while the rules ran" },
            [],
            0,
          );
        }
      }
    },

    async check(script): Promise<TCheckResult> {
      const slot = pool.getSlot("__check__");
      const problem = await compileRule(slot.isolate, script);
      if (!problem) return { ok: true };
      return { ok: false, message: problem };
    },

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
