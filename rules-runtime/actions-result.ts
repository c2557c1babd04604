import { isNestedDeeper } from "./json-depth.ts";
import {
  ACTION_API_LIMITS,
  type TActionCommands,
  type TActionsRunResult,
  type TJson,
  type TJsonObject,
  type TRuleFailure,
  type TRuleTrace,
  type TRulesLimits,
} from "./types.ts";

/** Nothing asked for. */
export function emptyCommands(): TActionCommands {
  return {
    denied: null,
    idTokenClaims: [],
    accessTokenClaims: [],
    scopes: [],
    multifactor: null,
    metadata: { app: null, user: null },
    cache: [],
    redirect: null,
  };
}

/** A failed run that produced nothing usable: no commands, console or warnings. */
export function failedActionsResult(
  failure: TRuleFailure,
  trace: TRuleTrace[],
  durationMs: number,
): TActionsRunResult {
  return {
    ok: false,
    failure,
    commands: emptyCommands(),
    trace,
    console: [],
    consoleTruncated: false,
    warnings: [],
    durationMs,
  };
}

const isObject = (v: unknown): v is TJsonObject => typeof v === "object" && v !== null && !Array.isArray(v);
const isText = (v: unknown, max: number): v is string =>
  typeof v === "string" && v.length > 0 && v.length <= max;
const jsonSize = (v: unknown) => JSON.stringify(v)?.length ?? 0;

/** Thrown inside the decoder when the output breaks a limit the bootstrap enforces: the run fails closed. */
class LimitBroken extends Error {}

/**
 * Read the commands field by field: entries that are malformed or name no action of this run are dropped; a size or
 * count the bootstrap would never let through means the output was forged, and fails the run.
 */
function readCommands(v: unknown, names: readonly string[], limits: Pick<TRulesLimits, "maxMetadataBytes">) {
  const c = isObject(v) ? v : {};
  const L = ACTION_API_LIMITS;
  const isAction = (a: unknown): a is string => typeof a === "string" && names.includes(a);
  const entries = (x: unknown, what: string): TJsonObject[] => {
    const all = Array.isArray(x) ? x.filter(isObject).filter((e) => isAction(e.action)) : [];
    if (all.length > L.maxCalls)
      throw new LimitBroken(`the actions recorded more than ${L.maxCalls} ${what}`);
    return all;
  };
  const claims = (x: unknown, what: string) =>
    entries(x, what)
      .filter((e) => isText(e.name, 1000) && e.value !== undefined)
      .map((e) => {
        if (jsonSize(e.value) > L.maxClaimBytes)
          throw new LimitBroken(`an action set a ${what} value larger than ${L.maxClaimBytes} bytes`);
        return { action: e.action as string, name: e.name as string, value: e.value as TJson };
      });
  const metadata = (x: unknown, kind: string): Record<string, TJson> | null => {
    if (!isObject(x)) return null;
    if (jsonSize(x) > limits.maxMetadataBytes)
      throw new LimitBroken(`the actions' ${kind} metadata is larger than ${limits.maxMetadataBytes} bytes`);
    return x;
  };
  const denied = isObject(c.denied) && isAction(c.denied.action) && typeof c.denied.reason === "string";
  const mfa = c.multifactor;
  const redirect = c.redirect;
  const meta = isObject(c.metadata) ? c.metadata : {};
  const commands: TActionCommands = {
    denied: denied
      ? {
          action: (c.denied as TJsonObject).action as string,
          reason: String((c.denied as TJsonObject).reason).slice(0, 1000),
        }
      : null,
    idTokenClaims: claims(c.idTokenClaims, "id_token claim"),
    accessTokenClaims: claims(c.accessTokenClaims, "access_token claim"),
    scopes: entries(c.scopes, "scope changes")
      .filter((e) => (e.op === "add" || e.op === "remove") && isText(e.scope, 1000))
      .map((e) => ({ action: e.action as string, op: e.op as "add" | "remove", scope: e.scope as string })),
    multifactor:
      isObject(mfa) && isAction(mfa.action) && isText(mfa.provider, 1000) && isObject(mfa.options)
        ? { action: mfa.action, provider: mfa.provider, options: mfa.options }
        : null,
    metadata: { app: metadata(meta.app, "app"), user: metadata(meta.user, "user") },
    cache: entries(c.cache, "cache operations").flatMap((e): TActionCommands["cache"] => {
      if (!isText(e.key, L.cacheKeyChars)) return [];
      const action = e.action as string;
      if (e.op === "delete") return [{ action, op: "delete", key: e.key }];
      if (e.op !== "set" || typeof e.value !== "string" || typeof e.expires_at !== "number") return [];
      if (e.value.length > L.cacheValueChars || !Number.isFinite(e.expires_at)) return [];
      return [{ action, op: "set", key: e.key, value: e.value, expires_at: e.expires_at }];
    }),
    redirect:
      isObject(redirect) && isAction(redirect.action) && typeof redirect.url === "string"
        ? { action: redirect.action, url: redirect.url.slice(0, 2048) }
        : null,
  };
  return commands;
}

/**
 * Decode the result the actions' bootstrap handed back. It is untrusted input (an action may have tampered with the
 * bootstrap's built-ins): bounded in size and depth, then read field by field.
 */
export function decodeActionsResult(
  value: unknown,
  names: readonly string[],
  enteredCount: number,
  durationMs: number,
  limits: Pick<TRulesLimits, "maxOutputBytes" | "maxOutputDepth" | "maxMetadataBytes">,
): TActionsRunResult {
  const running = names[enteredCount - 1] ?? null;
  const broken = (message: string) =>
    failedActionsResult({ kind: "invalid_output", rule: running, message }, [], durationMs);
  if (typeof value !== "string") return broken("the sandbox returned no result");
  if (value.length > limits.maxOutputBytes)
    return broken(`the actions produced more than ${limits.maxOutputBytes} bytes of commands and console`);
  if (isNestedDeeper(value, limits.maxOutputDepth))
    return broken(`the actions produced values nested deeper than ${limits.maxOutputDepth} levels`);
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(value) as Record<string, unknown>;
  } catch {
    return broken("the sandbox returned unreadable output");
  }
  if (!isObject(r)) return broken("the sandbox returned unreadable output");
  let commands: TActionCommands;
  try {
    commands = readCommands(r.commands, names, limits);
  } catch (err) {
    if (err instanceof LimitBroken) return broken(err.message);
    throw err;
  }
  const strings = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  const outcomes: readonly TRuleTrace["outcome"][] = ["ok", "error", "syntax"];
  const trace: TRuleTrace[] = Array.isArray(r.trace)
    ? (r.trace as unknown[]).filter(isObject).map((t) => ({
        name: String(t.name),
        durationMs: Number(t.durationMs) || 0,
        outcome: outcomes.find((o) => o === t.outcome) ?? "error",
      }))
    : [];
  const common = {
    commands,
    trace,
    console: strings(r.console),
    consoleTruncated: r.consoleTruncated === true,
    warnings: strings(r.warnings),
    durationMs,
  };
  if (r.status === "ok") {
    if (!isObject(r.commands)) return broken("the sandbox returned no commands");
    return { ...common, ok: true };
  }
  const e = isObject(r.error) ? r.error : {};
  const kinds = ["denied", "syntax", "invalid_output"] as const;
  return {
    ...common,
    ok: false,
    failure: {
      kind: kinds.find((k) => k === e.kind) ?? "denied",
      rule: typeof e.rule === "string" && names.includes(e.rule) ? e.rule : running,
      message: typeof e.message === "string" ? e.message.slice(0, 1000) : "Unknown error",
    },
  };
}
