import { isNestedDeeper } from "./json-depth.ts";
import { TRACKED_RULES, type TProgress } from "./shared-progress.ts";
import type { TJsonObject, TRuleFailure, TRuleTrace, TRulesLimits, TRunResult } from "./types.ts";

/** A failed run that produced nothing usable: no user, context, console, metadata or redirect. */
export function failedResult(failure: TRuleFailure, trace: TRuleTrace[], durationMs: number): TRunResult {
  return {
    ok: false,
    failure,
    user: null,
    context: null,
    trace,
    console: [],
    consoleTruncated: false,
    warnings: [],
    setBy: {},
    metadata: { app: null, user: null },
    durationMs,
  };
}

/** How many rules have started, from the run's shared progress (none before the run has a context). */
export function enteredCount(progress: TProgress | null, ruleCount: number): number {
  return progress ? Math.max(0, Math.min(Atomics.load(progress.state, 0) + 1, ruleCount)) : 0;
}

/** Trace of a run the host had to stop: the rules that finished, then the one that was running. */
export function hostTrace(
  progress: TProgress | null,
  names: readonly string[],
  outcome: TRuleTrace["outcome"],
): TRuleTrace[] {
  const n = enteredCount(progress, names.length);
  const startOf = (i: number) => (progress && i < TRACKED_RULES ? (progress.at[1 + i] ?? NaN) : NaN);
  return Array.from({ length: n }, (_, i) => {
    const ms = (i === n - 1 ? Date.now() : startOf(i + 1)) - startOf(i);
    return {
      name: names[i] ?? "?",
      durationMs: Number.isFinite(ms) ? Math.max(0, ms) : 0,
      outcome: i === n - 1 ? outcome : "ok",
    };
  });
}

/**
 * Decode the result the bootstrap handed back. It is untrusted input (a rule may have tampered with the bootstrap's
 * built-ins): bounded in size and depth, then read field by field. `globalCache` is the rules' `global` cache to keep
 * for the isolate's next run, when the result carried one.
 */
export function decodeRunResult(
  value: unknown,
  names: readonly string[],
  enteredCount: number,
  durationMs: number,
  limits: Pick<TRulesLimits, "maxOutputBytes" | "maxOutputDepth">,
): { result: TRunResult; globalCache?: string } {
  const broken = (message: string) => ({
    result: failedResult(
      { kind: "invalid_output", rule: names[enteredCount - 1] ?? null, message },
      [],
      durationMs,
    ),
  });
  if (typeof value !== "string") return broken("the sandbox returned no result");
  if (value.length > limits.maxOutputBytes)
    return broken(`the rules produced more than ${limits.maxOutputBytes} bytes of user, context and console`);
  if (isNestedDeeper(value, limits.maxOutputDepth))
    return broken(`the rules produced user or context nested deeper than ${limits.maxOutputDepth} levels`);
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(value) as Record<string, unknown>;
  } catch {
    return broken("the sandbox returned unreadable output");
  }
  const cache = typeof r.globalCache === "string" ? { globalCache: r.globalCache } : {};
  const isObject = (v: unknown): v is TJsonObject => typeof v === "object" && v !== null && !Array.isArray(v);
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
        ...cache,
        result: {
          ...common,
          ok: false,
          user,
          context,
          failure: {
            kind: "invalid_output",
            rule: names[names.length - 1] ?? null,
            message: "a rule passed something other than objects as user and context to its callback",
          },
        },
      };
    }
    return { ...cache, result: { ...common, ok: true, user, context } };
  }
  const e = isObject(r.error) ? r.error : {};
  const kinds = ["unauthorized", "denied", "syntax", "invalid_output"] as const;
  const kind = kinds.find((k) => k === e.kind) ?? "denied";
  return {
    ...cache,
    result: {
      ...common,
      ok: false,
      user,
      context,
      failure: {
        kind,
        rule: typeof e.rule === "string" ? e.rule : null,
        message: typeof e.message === "string" ? e.message : "Unknown error",
      },
    },
  };
}
