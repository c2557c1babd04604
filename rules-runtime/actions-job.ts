import { compilePipeline } from "./compile-pipeline.ts";
import { decodeActionsResult, failedActionsResult } from "./actions-result.ts";
import { messageOf } from "./message-of.ts";
import type { TRunJob } from "./run-attempt.ts";
import { sandboxLimits } from "./rules-job.ts";
import {
  ACTION_API_LIMITS,
  type TActionsRunInput,
  type TActionsRunResult,
  type TRulesLimits,
} from "./types.ts";

/** The actions' pipeline script, the same for every flow: its cache id and its source (built on first use). */
export type TActionsScript = { id: string; source: () => string };

/**
 * A run of the post-login Actions of one login: `startActions(factories)` of the bootstrap. The actions' code, secrets
 * and cache entries travel in the run input (the sandbox compiles each module on its own); no `global` cache.
 */
export function actionsJob(
  input: TActionsRunInput,
  limits: TRulesLimits,
  script: TActionsScript,
): TRunJob<TActionsRunResult> {
  const names = input.actions.map((a) => a.name);
  return {
    isolateKey: input.isolateKey,
    names,
    fetchAllowedHosts: input.fetchAllowedHosts,
    noun: { one: "action", many: "actions" },
    compile: (slot) =>
      compilePipeline(slot, script.id, script.source, async (err) => ({
        error: {
          kind: "crashed",
          rule: null,
          message: `the actions bootstrap does not compile: ${messageOf(err)}`,
        },
      })),
    payload: () =>
      JSON.stringify({
        names,
        actions: input.actions.map((a) => ({ code: a.code, secrets: a.secrets, cache: a.cache })),
        event: input.event,
        executedRules: input.executedRules,
        fetchEnabled: input.fetchAllowedHosts.length > 0,
        clockOffsetMs: input.clockOffsetMs ?? 0,
        limits: sandboxLimits(limits),
        actionLimits: ACTION_API_LIMITS,
      }),
    failed: failedActionsResult,
    decode: (text, entered, durationMs) => decodeActionsResult(text, names, entered, durationMs, limits),
  };
}
