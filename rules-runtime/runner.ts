import { createHash } from "node:crypto";
import ivm from "isolated-vm";
import { pipelineSource, ruleExpression } from "./sandbox-source.ts";
import { isNestedDeeper } from "./json-depth.ts";
import {
  MAX_POOLED_SHARED,
  SHARED_BYTES,
  TRACKED_RULES,
  openProgress,
  readSharedResult,
  type TProgress,
} from "./shared-progress.ts";
import { readFetchRequest, fetchWithLimits, type TFetchBudget } from "./fetch-capability.ts";
import {
  DEFAULT_RULES_LIMITS,
  type TCheckResult,
  type TJsonObject,
  type TRuleFailure,
  type TRuleTrace,
  type TRulesLimits,
  type TRulesRunner,
  type TRunInput,
  type TRunResult,
} from "./types.ts";

type TCompiled = { script: ivm.Script } | { error: TRuleFailure };

type TSlot = {
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
};

/** What the sandbox's capability functions call into, for the one run that uses the context. */
type TRunHooks = {
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
type TPrepared = { context: ivm.Context; progress: TProgress; bind(hooks: TRunHooks): void };

type TKill = { kind: "timeout" | "memory" | "abuse"; message: string };

const MAX_SCRIPTS_PER_ISOLATE = 8;
const RESULT_POLL_MS = 25;
const MEMORY_RE = /memory limit/i;

function now(): number {
  return performance.now();
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

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
  const sourceOf = internals.pipelineSource ?? pipelineSource;
  const limits: TRulesLimits = { ...DEFAULT_RULES_LIMITS, ...overrides };
  const slots = new Map<string, TSlot>();
  let runSeq = 0;

  function retire(slot: TSlot): void {
    slot.isRetired = true;
    if (slots.get(slot.key) === slot) slots.delete(slot.key);
    slot.spare?.catch(() => undefined);
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
    };
    slots.set(key, slot);
    return slot;
  }

  async function compileOne(isolate: ivm.Isolate, script: string): Promise<string | null> {
    try {
      (await isolate.compileScript(ruleExpression(script), { filename: "rule.js" })).release();
      return null;
    } catch (err) {
      return messageOf(err);
    }
  }

  function compile(slot: TSlot, input: TRunInput): Promise<TCompiled> {
    const hash = createHash("sha256");
    for (const r of input.rules) hash.update(r.script).update("\u0000");
    const id = hash.digest("hex");
    let entry = slot.scripts.get(id);
    if (!entry) {
      entry = (async (): Promise<TCompiled> => {
        const source = sourceOf(input.rules.map((r) => r.script));
        try {
          return { script: await slot.isolate.compileScript(source, { filename: "rules.js" }) };
        } catch (err) {
          // Disposed while waiting (another run's limit): not a syntax error; the caller retries.
          if (slot.isolate.isDisposed) throw err;
          // Find the rule that does not compile, so the audit record can name it.
          for (const r of input.rules) {
            const problem = await compileOne(slot.isolate, r.script);
            if (problem) return { error: { kind: "syntax", rule: r.name, message: problem } };
          }
          return { error: { kind: "syntax", rule: null, message: messageOf(err) } };
        }
      })();
      slot.scripts.set(id, entry);
      if (slot.scripts.size > MAX_SCRIPTS_PER_ISOLATE) {
        const [oldestId, oldest] = slot.scripts.entries().next().value!;
        slot.scripts.delete(oldestId);
        void oldest.then((c) => ("script" in c ? c.script.release() : undefined)).catch(() => undefined);
      }
    } else {
      slot.scripts.delete(id);
      slot.scripts.set(id, entry);
    }
    return entry;
  }

  async function prepareContext(slot: TSlot): Promise<TPrepared> {
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
        if (hooks) throw new Error("a rules context serves one run only");
        hooks = h;
      },
    };
  }

  function takeContext(slot: TSlot): Promise<TPrepared> {
    const ready = slot.spare ?? prepareContext(slot);
    slot.spare = null;
    return ready;
  }

  function prepareSpare(slot: TSlot): void {
    if (slot.isRetired || slot.isolate.isDisposed || slot.spare) return;
    const spare = prepareContext(slot);
    spare.catch(() => undefined);
    slot.spare = spare;
  }

  type TAttempt = { result: TRunResult } | { retry: true };

  /**
   * Retire the isolate if this run's executions in it (the script, capability replies) are still going a short
   * grace after the result came back: a rule left work running after its callback, and the next logins would wait
   * for it.
   */
  function retireIfStillBusy(slot: TSlot, runId: number, inflight: Set<Promise<void>>): void {
    if (inflight.size === 0) return;
    const grace = setTimeout(() => {
      if (inflight.size === 0 || slot.isRetired) return;
      slot.killedBy = runId;
      retire(slot);
    }, limits.postCallbackGraceMs);
    void Promise.all(inflight).then(() => clearTimeout(grace));
  }

  async function attempt(input: TRunInput): Promise<TAttempt> {
    const started = now();
    const slot = getSlot(input.isolateKey);
    const runId = ++runSeq;
    const names = input.rules.map((r) => r.name);
    /** The run's shared progress, once its context is taken. */
    let progress: TProgress | null = null;
    /** How many rules have started. */
    const enteredCount = () =>
      progress ? Math.max(0, Math.min(Atomics.load(progress.state, 0) + 1, names.length)) : 0;
    const base = { console: [], consoleTruncated: false, warnings: [], setBy: {} };
    const emptyMetadata = { app: null, user: null };
    const failed = (failure: TRuleFailure, trace: TRuleTrace[]): TRunResult => ({
      ok: false,
      failure,
      user: null,
      context: null,
      trace,
      ...base,
      metadata: emptyMetadata,
      durationMs: now() - started,
    });
    /** Trace of a run the host had to stop: the rules that finished, then the one that was running. */
    const hostTrace = (outcome: TRuleTrace["outcome"]): TRuleTrace[] => {
      const n = enteredCount();
      const startOf = (i: number) => (progress && i < TRACKED_RULES ? (progress.at[1 + i] ?? NaN) : NaN);
      return Array.from({ length: n }, (_, i) => {
        const ms = (i === n - 1 ? Date.now() : startOf(i + 1)) - startOf(i);
        return {
          name: names[i] ?? "?",
          durationMs: Number.isFinite(ms) ? Math.max(0, ms) : 0,
          outcome: i === n - 1 ? outcome : "ok",
        };
      });
    };

    // The limits run from the start: waiting for a busy isolate (compiling, preparing the context) counts too.
    let onKill: (k: TKill) => void = () => undefined;
    const killed = new Promise<TKill>((resolve) => (onKill = resolve));
    const stopped = killed.then((kill) => ({ kill }));
    let ruleTimer: ReturnType<typeof setTimeout> | undefined;
    const pipelineTimer = setTimeout(
      () => onKill({ kind: "timeout", message: `the rules took longer than ${limits.pipelineTimeoutMs} ms` }),
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
      retire(slot);
      onKill({ kind: "abuse", message: `the sandbox's ${what}: a rule reached past the bootstrap` });
    };
    const killedResult = (kill: TKill): TAttempt => {
      slot.killedBy = runId;
      retire(slot);
      return {
        result: failed(
          { kind: kill.kind, rule: names[enteredCount() - 1] ?? null, message: kill.message },
          hostTrace(kill.kind),
        ),
      };
    };

    const timers = new Set<ReturnType<typeof setTimeout>>();
    const budget: TFetchBudget = {
      allowedHosts: input.fetchAllowedHosts,
      deadline: Date.now() + limits.pipelineTimeoutMs,
      used: 0,
      limits,
      controllers: new Set(),
    };
    let sleeps = 0;
    let fetches = 0;
    let context: ivm.Context | undefined;
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
    const settleRef: { current: Promise<ivm.Reference<(id: number, text: string) => void>> | null } = {
      current: null,
    };
    try {
      const compiling = compile(slot, input);
      const compiledOrKill = await Promise.race([compiling.then((compiled) => ({ compiled })), stopped]);
      if ("kill" in compiledOrKill) return killedResult(compiledOrKill.kill);
      const compiled = compiledOrKill.compiled;
      if ("error" in compiled) return { result: failed(compiled.error, []) };
      slot.runs++;

      const taking = takeContext(slot);
      const preparedOrKill = await Promise.race([taking.then((prepared) => ({ prepared })), stopped]);
      if ("kill" in preparedOrKill) {
        void taking.then((p) => p.context.release()).catch(() => undefined);
        return killedResult(preparedOrKill.kill);
      }
      const prepared = preparedOrKill.prepared;
      context = prepared.context;
      progress = prepared.progress;
      prepareSpare(slot);
      const payload = {
        names,
        user: input.user,
        context: input.context,
        configuration: input.configuration,
        auth0Domain: input.auth0Domain,
        fetchEnabled: input.fetchAllowedHosts.length > 0,
        clockOffsetMs: input.clockOffsetMs ?? 0,
        globalCache: slot.globalCache,
        limits: {
          consoleBytes: limits.consoleBytes,
          consoleLines: limits.consoleLines,
          maxMetadataBytes: limits.maxMetadataBytes,
          maxGlobalCacheBytes: limits.maxGlobalCacheBytes,
          maxActiveTimers: limits.maxActiveTimers,
          maxTimers: limits.maxTimers,
          maxOutputBytes: limits.maxOutputBytes,
          fetchMaxRequests: limits.fetchMaxRequests,
          fetchMaxRequestBytes: limits.fetchMaxRequestBytes,
          trackedRules: TRACKED_RULES,
        },
      };
      const ctx = context;
      /** Answer an asynchronous capability call: one async apply into the sandbox with the reply text. */
      const settle = (id: number, text: string) => {
        if (isFinished) return;
        settleRef.current ??= ctx.global.get("__pc_settle", { reference: true });
        track(
          settleRef.current.then((ref) =>
            ref.apply(undefined, [id, text], { timeout: limits.ruleTimeoutMs }),
          ),
        );
      };
      const isCallId = (id: unknown): id is number =>
        typeof id === "number" && Number.isInteger(id) && id > 0;
      let onDone: (text: string) => void = () => undefined;
      const done = new Promise<string>((resolve) => (onDone = resolve));
      // The result normally arrives in shared memory: looked at whenever an execution in the isolate ends, and
      // every RESULT_POLL_MS in case work a rule left running keeps the execution from ending.
      checkResult = () => {
        const text = readSharedResult(prepared.progress);
        if (text !== null) onDone(text);
      };
      resultPoll = setInterval(checkResult, RESULT_POLL_MS);
      // The bootstrap calls each capability with checked arguments and within its budget; anything else means a
      // rule got hold of the raw function, and the run ends at once. Calls after the run ended are dropped.
      prepared.bind({
        sleep(id, ms) {
          if (isFinished || isStopped) return;
          if (!isCallId(id) || typeof ms !== "number" || !Number.isFinite(ms))
            return abuse("sleep capability got malformed arguments");
          if (++sleeps > limits.maxTimers)
            return abuse(`sleep capability was called over ${limits.maxTimers} times`);
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
          if (isFinished || isStopped) return;
          if (!isCallId(id) || typeof request !== "string" || request.length > limits.fetchMaxRequestBytes)
            return abuse("fetch capability got malformed arguments");
          if (++fetches > limits.fetchMaxRequests)
            return abuse(`fetch capability was called over ${limits.fetchMaxRequests} times`);
          const parsed = readFetchRequest(request, limits.fetchMaxRequestBytes);
          void (async () => {
            const reply = "error" in parsed ? parsed : await fetchWithLimits(parsed, budget);
            settle(id, JSON.stringify(reply));
          })();
        },
        done(text) {
          if (isFinished || isStopped) return;
          if (typeof text !== "string") return abuse("done capability got a non-string result");
          onDone(text);
        },
      });
      const setting = ctx.global.set("__pc_in", JSON.stringify(payload));
      const setOrKill = await Promise.race([setting.then(() => ({ set: true })), stopped]);
      if ("kill" in setOrKill) return killedResult(setOrKill.kill);
      // The run's own rejection matters only when it is a limit or a dead isolate; anything else is a rule's
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
            message: `rule "${names[i]}" did not finish within ${limits.ruleTimeoutMs} ms`,
          });
        else ruleTimer = setTimeout(checkRuleTime, limits.ruleTimeoutMs - elapsed);
      };
      ruleTimer = setTimeout(checkRuleTime, limits.ruleTimeoutMs);
      const script = compiled.script;
      const running = script.run(ctx, { timeout: limits.pipelineTimeoutMs });
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
        if (MEMORY_RE.test(message)) {
          retire(slot);
          return {
            result: failed(
              {
                kind: "memory",
                rule: names[enteredCount() - 1] ?? null,
                message: `the isolate ran out of memory (limit ${limits.memoryLimitMb} MB)`,
              },
              hostTrace("memory"),
            ),
          };
        }
        // Caught in an isolate another run had to kill: not this run's fault, run it again on a fresh isolate.
        if (slot.isolate.isDisposed && slot.killedBy !== runId) return { retry: true };
        if (/timed out/i.test(message)) {
          retire(slot);
          return {
            result: failed(
              {
                kind: "timeout",
                rule: names[enteredCount() - 1] ?? null,
                message: `the rules did not finish within ${limits.pipelineTimeoutMs} ms`,
              },
              hostTrace("timeout"),
            ),
          };
        }
        retire(slot);
        return { result: failed({ kind: "crashed", rule: null, message }, hostTrace("error")) };
      }
      retireIfStillBusy(slot, runId, inflight);
      return { result: readResult(outcome.value, slot, started, names, enteredCount()) };
    } catch (err) {
      if (slot.isolate.isDisposed && slot.killedBy !== runId) return { retry: true };
      retire(slot);
      return { result: failed({ kind: "crashed", rule: null, message: messageOf(err) }, []) };
    } finally {
      isFinished = true;
      clearInterval(resultPoll);
      // Nothing runs in this context any more (and its bootstrap writes nothing after the result): the next
      // context of this isolate may take the block.
      if (progress && inflight.size === 0 && !slot.isRetired && slot.sharedPool.length < MAX_POOLED_SHARED)
        slot.sharedPool.push(progress.buffer);
      clearTimeout(pipelineTimer);
      clearTimeout(ruleTimer);
      for (const t of timers) clearTimeout(t);
      for (const c of budget.controllers) c.abort();
      void settleRef.current?.then((ref) => ref.release()).catch(() => undefined);
      try {
        context?.release();
      } catch {
        // The isolate is gone; so is the context.
      }
    }
  }

  function readResult(
    value: unknown,
    slot: TSlot,
    started: number,
    names: string[],
    enteredCount: number,
  ): TRunResult {
    const durationMs = now() - started;
    const broken = (message: string): TRunResult => ({
      ok: false,
      failure: { kind: "invalid_output", rule: names[enteredCount - 1] ?? null, message },
      user: null,
      context: null,
      trace: [],
      console: [],
      consoleTruncated: false,
      warnings: [],
      setBy: {},
      metadata: { app: null, user: null },
      durationMs,
    });
    if (typeof value !== "string") return broken("the sandbox returned no result");
    if (value.length > limits.maxOutputBytes)
      return broken(
        `the rules produced more than ${limits.maxOutputBytes} bytes of user, context and console`,
      );
    if (isNestedDeeper(value, limits.maxOutputDepth))
      return broken(`the rules produced user or context nested deeper than ${limits.maxOutputDepth} levels`);
    let r: Record<string, unknown>;
    try {
      r = JSON.parse(value) as Record<string, unknown>;
    } catch {
      return broken("the sandbox returned unreadable output");
    }
    if (typeof r.globalCache === "string") slot.globalCache = r.globalCache;
    const isObject = (v: unknown): v is TJsonObject =>
      typeof v === "object" && v !== null && !Array.isArray(v);
    const strings = (v: unknown): string[] =>
      Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
    const trace = Array.isArray(r.trace)
      ? (r.trace as unknown[]).filter(isObject).map((t) => ({
          name: String(t.name),
          durationMs: Number(t.durationMs) || 0,
          outcome: String(t.outcome) as TRuleTrace["outcome"],
        }))
      : [];
    const metadataIn = isObject(r.metadata) ? r.metadata : {};
    const setByIn = isObject(r.setBy) ? r.setBy : {};
    const common = {
      trace,
      console: strings(r.console),
      consoleTruncated: r.consoleTruncated === true,
      warnings: strings(r.warnings),
      metadata: {
        app: isObject(metadataIn.app) ? metadataIn.app : null,
        user: isObject(metadataIn.user) ? metadataIn.user : null,
      },
      setBy: {
        ...(typeof setByIn.redirect === "string" ? { redirect: setByIn.redirect } : {}),
        ...(typeof setByIn.multifactor === "string" ? { multifactor: setByIn.multifactor } : {}),
      },
      durationMs,
    };
    const user = isObject(r.user) ? r.user : null;
    const context = isObject(r.context) ? r.context : null;
    if (r.status === "ok") {
      if (!user || !context) {
        return {
          ...common,
          ok: false,
          user,
          context,
          failure: {
            kind: "invalid_output",
            rule: names[names.length - 1] ?? null,
            message: "a rule passed something other than objects as user and context to its callback",
          },
        };
      }
      return { ...common, ok: true, user, context };
    }
    const e = isObject(r.error) ? r.error : {};
    const kinds = ["unauthorized", "denied", "syntax", "invalid_output"] as const;
    const kind = kinds.find((k) => k === e.kind) ?? "denied";
    return {
      ...common,
      ok: false,
      user,
      context,
      failure: {
        kind,
        rule: typeof e.rule === "string" ? e.rule : null,
        message: typeof e.message === "string" ? e.message : "Unknown error",
      },
    };
  }

  return {
    async run(input) {
      for (let i = 0; ; i++) {
        const a = await attempt(input);
        if ("result" in a) return a.result;
        if (i >= 2) {
          return {
            ok: false,
            failure: {
              kind: "crashed",
              rule: null,
              message: "the sandbox was restarted while the rules ran",
            },
            user: null,
            context: null,
            trace: [],
            console: [],
            consoleTruncated: false,
            warnings: [],
            setBy: {},
            metadata: { app: null, user: null },
            durationMs: 0,
          };
        }
      }
    },

    async check(script): Promise<TCheckResult> {
      const slot = getSlot("__check__");
      const problem = await compileOne(slot.isolate, script);
      if (!problem) return { ok: true };
      return { ok: false, message: problem };
    },

    async stats() {
      const heaps = [];
      for (const slot of slots.values()) {
        if (slot.isolate.isDisposed) continue;
        const h = await slot.isolate.getHeapStatistics();
        heaps.push({ key: slot.key, usedHeapBytes: h.used_heap_size, totalHeapBytes: h.total_heap_size });
      }
      return { isolates: heaps.length, heaps };
    },

    dispose() {
      for (const slot of [...slots.values()]) retire(slot);
    },
  };
}
