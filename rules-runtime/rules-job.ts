import { compilePipeline, compileRule, sourcesId } from "./compile-pipeline.ts";
import type { TSlot } from "./isolate-pool.ts";
import { messageOf } from "./message-of.ts";
import type { TRunJob } from "./run-attempt.ts";
import { decodeRunResult, failedResult } from "./run-result.ts";
import { TRACKED_RULES } from "./shared-progress.ts";
import type { TRulesLimits, TRunInput, TRunResult } from "./types.ts";

/** The limits the bootstrap enforces itself, as it reads them from the run input. */
export function sandboxLimits(limits: TRulesLimits) {
  return {
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
  };
}

/** A run of the rules of one login: `start(factories, rules)` of the bootstrap, with the `global` cache. */
export function rulesJob(
  input: TRunInput,
  limits: TRulesLimits,
  sourceOf: (scripts: readonly string[]) => string,
): TRunJob<TRunResult> {
  const names = input.rules.map((r) => r.name);
  const scripts = input.rules.map((r) => r.script);
  return {
    isolateKey: input.isolateKey,
    names,
    fetchAllowedHosts: input.fetchAllowedHosts,
    noun: { one: "rule", many: "rules" },
    compile: (slot) =>
      compilePipeline(
        slot,
        sourcesId("rules", scripts),
        () => sourceOf(scripts),
        async (err) => {
          // Find the rule that does not compile, so the audit record can name it.
          for (const r of input.rules) {
            const problem = await compileRule(slot.isolate, r.script);
            if (problem) return { error: { kind: "syntax", rule: r.name, message: problem } };
          }
          return { error: { kind: "syntax", rule: null, message: messageOf(err) } };
        },
      ),
    payload: (slot: TSlot) =>
      JSON.stringify({
        names,
        user: input.user,
        context: input.context,
        configuration: input.configuration,
        auth0Domain: input.auth0Domain,
        fetchEnabled: input.fetchAllowedHosts.length > 0,
        clockOffsetMs: input.clockOffsetMs ?? 0,
        globalCache: slot.globalCache,
        limits: sandboxLimits(limits),
      }),
    failed: failedResult,
    decode(text, entered, durationMs, slot) {
      const decoded = decodeRunResult(text, names, entered, durationMs, limits);
      if (decoded.globalCache !== undefined) slot.globalCache = decoded.globalCache;
      return decoded.result;
    },
  };
}
