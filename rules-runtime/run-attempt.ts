import type ivm from "isolated-vm";
import type { TCompiled } from "./compile-pipeline.ts";
import { createCapabilityHooks } from "./capability-hooks.ts";
import type { TFetchBudget } from "./fetch-capability.ts";
import type { TIsolatePool, TSlot } from "./isolate-pool.ts";
import { messageOf } from "./message-of.ts";
import { prepareSpare, takeContext, type TPrepared } from "./run-context.ts";
import { enteredCount, hostTrace } from "./run-result.ts";
import { MAX_POOLED_SHARED, readSharedResult, type TProgress } from "./shared-progress.ts";
import type { TRuleFailure, TRuleTrace, TRulesLimits } from "./types.ts";
import {
  dropWarmContext,
  installWarmContext,
  keepWarmContext,
  resetWarmContext,
  takeWarmContext,
  type TWarmContext,
} from "./warm-contexts.ts";

/** A run's outcome, or word that it was caught in an isolate another run had to kill and should run again. */
export type TAttempt<R> = { result: R } | { retry: true };

export type TAttemptDeps = {
  limits: TRulesLimits;
  pool: TIsolatePool;
  /** A new run id: which run killed an isolate decides who is retried. */
  nextRunId(): number;
};

/**
 * What differs between a run of rules and a run of actions; the limits, kills, time limits, retries, shared progress
 * and cleanup of attemptRun are the same for both.
 */
export type TRunJob<R> = {
  isolateKey: string;
  /** The names of the scripts in run order (the shared progress holds an index into them). */
  names: readonly string[];
  fetchAllowedHosts: readonly string[];
  /** What the scripts are called in messages: `rule`/`rules`, `action`/`actions`. */
  noun: { one: string; many: string };
  /** The compiled pipeline script (cached per isolate), or a syntax failure naming the script. */
  compile(slot: TSlot): Promise<TCompiled>;
  /** The run input the bootstrap reads from `__pc_in`, as JSON. */
  payload(slot: TSlot): string;
  /** A failed run that produced nothing usable. */
  failed(failure: TRuleFailure, trace: TRuleTrace[], durationMs: number): R;
  /** The result text the sandbox handed back (untrusted); may keep what outlives the run in the slot. */
  decode(text: string, entered: number, durationMs: number, slot: TSlot): R;
  /**
   * Run in a warm context of this flow (see warm-contexts.ts) instead of a fresh one: the compiled script installs
   * the flow and returns the per-run entry, which gets `payload` as its argument. Without it, the payload goes in
   * `__pc_in` of a fresh context and the script runs once.
   */
  warm?: {
    flowId: string;
    /** The input the install script reads (the flow's code and a first run's settings), as JSON. */
    installInput(): string;
    /** Whether the context may serve the next login after this result. */
    reusable(result: R): boolean;
    /** Told how the run got its context, before it runs. */
    took(how: "reused" | "installed"): void;
  };
};

type TKill = { kind: "timeout" | "memory" | "abuse"; message: string };

const RESULT_POLL_MS = 25;
const MEMORY_RE = /memory limit/i;

function now(): number {
  return performance.now();
}

/**
 * Retire the isolate if this run's executions in it (the script, capability replies) are still going a short
 * grace after the result came back: a rule left work running after its callback, and the next logins would wait
 * for it.
 */
function retireIfStillBusy(
  deps: TAttemptDeps,
  slot: TSlot,
  runId: number,
  inflight: Set<Promise<void>>,
): void {
  if (inflight.size === 0) return;
  const grace = setTimeout(() => {
    if (inflight.size === 0 || slot.isRetired) return;
    slot.killedBy = runId;
    deps.pool.retire(slot);
  }, deps.limits.postCallbackGraceMs);
  void Promise.all(inflight).then(() => clearTimeout(grace));
}

/**
 * Run the rules once in the key's warm isolate, in a fresh context: compile (cached), take the prepared context, hand
 * it the input, run, and wait for the result, a limit (the pipeline and rule timers, the heap, a capability abused)
 * or the isolate's death. Whatever happens becomes a value; the run's timers, fetches and context end in `finally`.
 */
export async function attemptRun<R>(deps: TAttemptDeps, job: TRunJob<R>): Promise<TAttempt<R>> {
  const { limits, pool } = deps;
  const { names, noun } = job;
  const started = now();
  const slot = pool.getSlot(job.isolateKey);
  const runId = deps.nextRunId();
  /** The run's shared progress, once its context is taken. */
  let progress: TProgress | null = null;
  const failed = (failure: TRuleFailure, trace: TRuleTrace[]): R =>
    job.failed(failure, trace, now() - started);

  // The limits run from the start: waiting for a busy isolate (compiling, preparing the context) counts too.
  let onKill: (k: TKill) => void = () => undefined;
  const killed = new Promise<TKill>((resolve) => (onKill = resolve));
  const stopped = killed.then((kill) => ({ kill }));
  let ruleTimer: ReturnType<typeof setTimeout> | undefined;
  const pipelineTimer = setTimeout(
    () =>
      onKill({
        kind: "timeout",
        message: `the ${noun.many} took longer than ${limits.pipelineTimeoutMs} ms`,
      }),
    limits.pipelineTimeoutMs,
  );
  let isStopped = false;
  /**
   * Stop the run: the sandbox called a capability in a way the bootstrap never does. The isolate is disposed right
   * here, not after a promise turn: a flood of queued calls can keep the event loop from reaching microtasks, and
   * only the dispose stops the flood at its source. Calls already queued are dropped by isStopped.
   */
  const abuse = (what: string) => {
    if (isStopped) return;
    isStopped = true;
    slot.killedBy = runId;
    pool.retire(slot);
    onKill({ kind: "abuse", message: `the sandbox's ${what}: a ${noun.one} reached past the bootstrap` });
  };
  const killedResult = (kill: TKill): TAttempt<R> => {
    slot.killedBy = runId;
    pool.retire(slot);
    return {
      result: failed(
        {
          kind: kill.kind,
          rule: names[enteredCount(progress, names.length) - 1] ?? null,
          message: kill.message,
        },
        hostTrace(progress, names, kill.kind),
      ),
    };
  };

  const timers = new Set<ReturnType<typeof setTimeout>>();
  const budget: TFetchBudget = {
    allowedHosts: job.fetchAllowedHosts,
    deadline: Date.now() + limits.pipelineTimeoutMs,
    used: 0,
    limits,
    controllers: new Set(),
  };
  let context: ivm.Context | undefined;
  let warm: TWarmContext | null = null;
  /** The warm context ended its run cleanly and may serve the next login. */
  let isReusable = false;
  let isFinished = false;
  /** This run's executions in the isolate that have not ended yet. */
  const inflight = new Set<Promise<void>>();
  let checkResult = () => undefined as void;
  const track = (p: Promise<unknown>) => {
    const q: Promise<void> = p.then(
      () => undefined,
      () => undefined,
    );
    inflight.add(q);
    void q.then(() => {
      inflight.delete(q);
      checkResult();
    });
  };
  let resultPoll: ReturnType<typeof setInterval> | undefined;
  let capabilities: { release(): void } | undefined;
  try {
    const compiling = job.compile(slot);
    const compiledOrKill = await Promise.race([compiling.then((compiled) => ({ compiled })), stopped]);
    if ("kill" in compiledOrKill) return killedResult(compiledOrKill.kill);
    const compiled = compiledOrKill.compiled;
    if ("error" in compiled) return { result: failed(compiled.error, []) };
    slot.runs++;

    let prepared: TPrepared;
    if (job.warm) {
      const w = job.warm;
      const idle = takeWarmContext(slot, w.flowId);
      const installing = idle
        ? Promise.resolve(idle)
        : installWarmContext(slot, w.flowId, compiled.script, w.installInput(), limits.pipelineTimeoutMs);
      const warmOrKill = await Promise.race([installing.then((ready) => ({ ready })), stopped]);
      if ("kill" in warmOrKill) {
        void installing.then(dropWarmContext).catch(() => undefined);
        return killedResult(warmOrKill.kill);
      }
      warm = warmOrKill.ready;
      w.took(idle ? "reused" : "installed");
      resetWarmContext(warm);
      prepared = warm.prepared;
    } else {
      const taking = takeContext(slot);
      const preparedOrKill = await Promise.race([taking.then((p) => ({ prepared: p })), stopped]);
      if ("kill" in preparedOrKill) {
        void taking.then((p) => p.context.release()).catch(() => undefined);
        return killedResult(preparedOrKill.kill);
      }
      prepared = preparedOrKill.prepared;
      context = prepared.context;
      prepareSpare(slot);
    }
    progress = prepared.progress;
    const payload = job.payload(slot);
    const ctx = prepared.context;
    let onDone: (text: string) => void = () => undefined;
    const done = new Promise<string>((resolve) => (onDone = resolve));
    // The result normally arrives in shared memory: looked at whenever an execution in the isolate ends, and
    // every RESULT_POLL_MS in case work a rule left running keeps the execution from ending.
    checkResult = () => {
      const text = readSharedResult(prepared.progress);
      if (text !== null) onDone(text);
    };
    resultPoll = setInterval(checkResult, RESULT_POLL_MS);
    const host = createCapabilityHooks({
      context: ctx,
      limits,
      budget,
      timers,
      isFinished: () => isFinished,
      isStopped: () => isStopped,
      abuse,
      track,
      done: (text) => onDone(text),
    });
    capabilities = host;
    prepared.bind(host.hooks);
    if (!warm) {
      const setting = ctx.global.set("__pc_in", payload);
      const setOrKill = await Promise.race([setting.then(() => ({ set: true })), stopped]);
      if ("kill" in setOrKill) return killedResult(setOrKill.kill);
    }
    // The run's own rejection matters only when it is a limit or a dead isolate; anything else is a script's
    // unhandled promise rejection, which Auth0's Node sandbox also ignored.
    // The rule time limit: when it may be up, look at which rule is running and since when.
    const watched = prepared.progress;
    const checkRuleTime = () => {
      const i = Atomics.load(watched.state, 0);
      const since = Date.now() - (watched.at[0] ?? NaN);
      // Only the bootstrap writes there; an unreadable or future time just waits a whole period again.
      const elapsed = i >= 0 && i < names.length && since >= 0 ? since : 0;
      if (elapsed >= limits.ruleTimeoutMs)
        onKill({
          kind: "timeout",
          message: `${noun.one} "${names[i]}" did not finish within ${limits.ruleTimeoutMs} ms`,
        });
      else ruleTimer = setTimeout(checkRuleTime, limits.ruleTimeoutMs - elapsed);
    };
    ruleTimer = setTimeout(checkRuleTime, limits.ruleTimeoutMs);
    const running: Promise<unknown> = warm
      ? warm.entry.apply(undefined, [payload], { timeout: limits.pipelineTimeoutMs })
      : compiled.script.run(ctx, { timeout: limits.pipelineTimeoutMs });
    track(running);
    const execution = new Promise<{ error: unknown }>((resolve) => {
      running.then(
        () => undefined,
        (error: unknown) => {
          if (/timed out|memory limit|disposed/i.test(messageOf(error))) resolve({ error });
        },
      );
    });
    const outcome = await Promise.race([done.then((value) => ({ value })), execution, stopped]);

    if ("kill" in outcome) return killedResult(outcome.kill);
    if ("error" in outcome) {
      const message = messageOf(outcome.error);
      const rule = names[enteredCount(progress, names.length) - 1] ?? null;
      if (MEMORY_RE.test(message)) {
        pool.retire(slot);
        return {
          result: failed(
            {
              kind: "memory",
              rule,
              message: `the isolate ran out of memory (limit ${limits.memoryLimitMb} MB)`,
            },
            hostTrace(progress, names, "memory"),
          ),
        };
      }
      // Caught in an isolate another run had to kill: not this run's fault, run it again on a fresh isolate.
      if (slot.isolate.isDisposed && slot.killedBy !== runId) return { retry: true };
      if (/timed out/i.test(message)) {
        pool.retire(slot);
        return {
          result: failed(
            {
              kind: "timeout",
              rule,
              message: `the ${noun.many} did not finish within ${limits.pipelineTimeoutMs} ms`,
            },
            hostTrace(progress, names, "timeout"),
          ),
        };
      }
      pool.retire(slot);
      return {
        result: failed({ kind: "crashed", rule: null, message }, hostTrace(progress, names, "error")),
      };
    }
    retireIfStillBusy(deps, slot, runId, inflight);
    const result = job.decode(outcome.value, enteredCount(progress, names.length), now() - started, slot);
    isReusable = job.warm?.reusable(result) ?? false;
    return { result };
  } catch (err) {
    if (slot.isolate.isDisposed && slot.killedBy !== runId) return { retry: true };
    pool.retire(slot);
    return { result: failed({ kind: "crashed", rule: null, message: messageOf(err) }, []) };
  } finally {
    isFinished = true;
    clearInterval(resultPoll);
    // Nothing runs in this context any more (and its bootstrap writes nothing after the result): the next
    // context of this isolate may take the block.
    const isIdle = inflight.size === 0 && !isStopped && !slot.isRetired;
    if (warm && isReusable && isIdle) keepWarmContext(slot, warm);
    else {
      if (warm) dropWarmContext(warm);
      if (progress && isIdle && slot.sharedPool.length < MAX_POOLED_SHARED)
        slot.sharedPool.push(progress.buffer);
    }
    clearTimeout(pipelineTimer);
    clearTimeout(ruleTimer);
    for (const t of timers) clearTimeout(t);
    for (const c of budget.controllers) c.abort();
    capabilities?.release();
    try {
      context?.release();
    } catch {
      // The isolate is gone; so is the context.
    }
  }
}
