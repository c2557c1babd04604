import { compilePipeline, sourcesId } from "./compile-pipeline.ts";
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

/** The actions' install script, the same for every flow: its cache id and its source (built on first use). */
export type TActionsScript = { id: string; source: () => string };

/**
 * A run of the post-login Actions of one login, in a warm context of its flow (warm-contexts.ts): the install script
 * (`installActions(factories)` of the bootstrap) gets the actions' code once per context; each login's input holds
 * only the event, the actions' secrets and cache entries, and the settings of the run. No `global` cache.
 */
export function actionsJob(
  input: TActionsRunInput,
  limits: TRulesLimits,
  script: TActionsScript,
): TRunJob<TActionsRunResult> {
  const names = input.actions.map((a) => a.name);
  let context: "reused" | "installed" | undefined;
  const withContext = (r: TActionsRunResult): TActionsRunResult => (context ? { ...r, context } : r);
  const clockOffsetMs = input.clockOffsetMs ?? 0;
  // The Date a warm context is installed with (environment.js shifts it once, at install). The server passes the
  // clock it read when the request began minus the real clock now: a few milliseconds on a real clock, which must
  // not make every login a new flow version. Only a clock a second or more away (tests move it) shifts Date.
  const dateShiftMs = Math.abs(clockOffsetMs) < 1000 ? 0 : clockOffsetMs;
  const runInput = (actions: unknown[], offsetMs: number) =>
    JSON.stringify({
      names,
      actions,
      event: input.event,
      executedRules: input.executedRules,
      fetchEnabled: input.fetchAllowedHosts.length > 0,
      clockOffsetMs: offsetMs,
      limits: sandboxLimits(limits),
      actionLimits: ACTION_API_LIMITS,
    });
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
    // api.cache lifetimes follow the exact offset of each login.
    payload: () =>
      runInput(
        input.actions.map((a) => ({ secrets: a.secrets, cache: a.cache })),
        clockOffsetMs,
      ),
    warm: {
      // Date's shift is fixed when a context is installed, so it is part of the flow's identity.
      flowId: sourcesId("flow", [String(dateShiftMs), ...input.actions.flatMap((a) => [a.name, a.code])]),
      installInput: () =>
        runInput(
          input.actions.map((a) => ({ code: a.code })),
          dateShiftMs,
        ),
      // Only a run that ended as the bootstrap meant leaves a context fit for another login: after an error
      // (a module that threw while loading, a syntax error, tampering that broke the result), start afresh.
      reusable: (result) => result.ok,
      took: (how) => {
        context = how;
      },
    },
    failed: (failure, trace, durationMs) => withContext(failedActionsResult(failure, trace, durationMs)),
    decode: (text, entered, durationMs) =>
      withContext(decodeActionsResult(text, names, entered, durationMs, limits)),
  };
}
