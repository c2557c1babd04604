/** A JSON value as it crosses the sandbox boundary (always a copy). */
export type TJson = null | boolean | number | string | TJson[] | { [key: string]: TJson };
export type TJsonObject = { [key: string]: TJson };

/** One rule as the runtime sees it: its display name and its Auth0-style script. */
export type TRuleSource = { name: string; script: string };

export type TRulesLimits = {
  /** Wall-clock limit per rule, from its start until it calls back. */
  ruleTimeoutMs: number;
  /** Wall-clock limit for the whole pipeline of one login. */
  pipelineTimeoutMs: number;
  /** Heap limit of each isolate (isolated-vm's minimum is 8). */
  memoryLimitMb: number;
  /** Console capture per run; further output is dropped and flagged. */
  consoleBytes: number;
  consoleLines: number;
  /** Size of the JSON result (user, context, console) a run may hand back. */
  maxOutputBytes: number;
  /** Nesting depth of that JSON (the result's own envelope counts 3 levels). */
  maxOutputDepth: number;
  maxMetadataBytes: number;
  maxGlobalCacheBytes: number;
  maxActiveTimers: number;
  maxTimers: number;
  /** Warm isolates kept (one per isolate key, least recently used evicted). */
  maxIsolates: number;
  /** An isolate is replaced after this many runs, so slow leaks in V8 or in rules never accumulate. */
  maxRunsPerIsolate: number;
  fetchTimeoutMs: number;
  fetchMaxResponseBytes: number;
  fetchMaxRequests: number;
  /** Size of one fetch request (URL, headers and body as JSON) a rule may send. */
  fetchMaxRequestBytes: number;
  /**
   * How long the isolate may stay busy after the rules handed back their result (work a rule left running after
   * its callback). Past it the isolate is retired, so the next logins never wait for it.
   */
  postCallbackGraceMs: number;
};

export const DEFAULT_RULES_LIMITS: TRulesLimits = {
  ruleTimeoutMs: 3000,
  pipelineTimeoutMs: 10000,
  memoryLimitMb: 32,
  consoleBytes: 16 * 1024,
  consoleLines: 200,
  maxOutputBytes: 1024 * 1024,
  maxOutputDepth: 64,
  maxMetadataBytes: 64 * 1024,
  maxGlobalCacheBytes: 64 * 1024,
  maxActiveTimers: 100,
  maxTimers: 1000,
  maxIsolates: 64,
  maxRunsPerIsolate: 20000,
  fetchTimeoutMs: 5000,
  fetchMaxResponseBytes: 1024 * 1024,
  fetchMaxRequests: 20,
  fetchMaxRequestBytes: 256 * 1024,
  postCallbackGraceMs: 200,
};

export type TRunInput = {
  /** Isolates are per key (per tenant, or a separate one for admin "try" runs); keys never share a heap. */
  isolateKey: string;
  rules: readonly TRuleSource[];
  user: TJsonObject;
  context: TJsonObject;
  /** Rule settings (`configuration`), already decrypted. */
  configuration: Record<string, string>;
  /** `auth0.domain` inside rules. */
  auth0Domain: string;
  /** Hosts `fetch` may reach (`host`, `host:port` or `*.domain`); empty = fetch disabled. */
  fetchAllowedHosts: readonly string[];
  /** The server clock minus the real clock; rules see the server's time. */
  clockOffsetMs?: number;
};

/** What happened to each rule that started. */
export type TRuleTrace = {
  name: string;
  durationMs: number;
  outcome: "ok" | "error" | "timeout" | "memory" | "syntax" | "invalid_output" | "abuse";
};

/**
 * How a run can fail. `unauthorized` and `denied` are the rule's own decisions (UnauthorizedError / any other
 * error); the others are the sandbox stopping a rule that broke a limit or could not run.
 */
export const RULE_FAILURE_KINDS = [
  "unauthorized",
  "denied",
  "timeout",
  "memory",
  "syntax",
  "invalid_output",
  "abuse",
  "crashed",
] as const;
export type TRuleFailureKind = (typeof RULE_FAILURE_KINDS)[number];

export type TRuleFailure = {
  kind: TRuleFailureKind;
  /** Name of the rule that failed (null when no rule was running, e.g. the sandbox itself broke). */
  rule: string | null;
  /** The real reason, for the audit record and the admin; never sent to OAuth clients for limit kinds. */
  message: string;
};

export type TMetadataPatch = Record<string, TJson> | null;

type TRunCommon = {
  trace: TRuleTrace[];
  console: string[];
  consoleTruncated: boolean;
  /** Things a rule did that Auth0 tolerates but that deserve a look (a second callback call, …). */
  warnings: string[];
  /** Merged `auth0.users.update*Metadata` calls; `null` values delete keys. */
  metadata: { app: TMetadataPatch; user: TMetadataPatch };
  /** Which rule set `context.redirect` / `context.multifactor`, if any did. */
  setBy: { redirect?: string; multifactor?: string };
  durationMs: number;
};

export type TRunResult =
  | (TRunCommon & { ok: true; user: TJsonObject; context: TJsonObject })
  | (TRunCommon & {
      ok: false;
      failure: TRuleFailure;
      user: TJsonObject | null;
      context: TJsonObject | null;
    });

export type TCheckResult = { ok: true } | { ok: false; message: string; line?: number };

/** One post-login Action as the runtime sees it. */
export type TActionSource = {
  /** Display name: trace, failures. */
  name: string;
  /** The module code (`exports.onExecutePostLogin = async (event, api) => { … }`). */
  code: string;
  /** This action's `event.secrets`, already decrypted. */
  secrets: Record<string, string>;
  /** Its unexpired `api.cache` entries at run start. */
  cache: Record<string, { value: string; expires_at: number }>;
};

export type TActionsRunInput = {
  isolateKey: string;
  actions: readonly TActionSource[];
  /**
   * The post-login event WITHOUT secrets; each action gets a fresh deep copy plus its own `secrets`;
   * event.user.app_metadata / user_metadata reflect the setAppMetadata/setUserMetadata calls of earlier actions.
   */
  event: TJsonObject;
  /** Ids of the rules that ran before (`api.rules.wasExecuted(id)`). */
  executedRules: readonly string[];
  fetchAllowedHosts: readonly string[];
  clockOffsetMs?: number;
};

export type TActionCommands = {
  /** First api.access.deny wins. */
  denied: { action: string; reason: string } | null;
  /** In call order; the host applies them, later wins. */
  idTokenClaims: { action: string; name: string; value: TJson }[];
  accessTokenClaims: { action: string; name: string; value: TJson }[];
  /** In call order. */
  scopes: { action: string; op: "add" | "remove"; scope: string }[];
  /** Last call wins. */
  multifactor: { action: string; provider: string; options: TJsonObject } | null;
  /** Merged patches; a null value deletes the key. */
  metadata: { app: Record<string, TJson> | null; user: Record<string, TJson> | null };
  cache: { action: string; op: "set" | "delete"; key: string; value?: string; expires_at?: number }[];
  /** Any api.redirect.sendUserTo / encodeToken / validateToken (the host fails the login with Auth0's error). */
  redirect: { action: string; url: string } | null;
};

type TActionsRunCommon = {
  commands: TActionCommands;
  /**
   * How the run got its warm context (rules-runtime/warm-contexts.ts): an idle one of its flow, or one installed for
   * it. Absent when the run ended before it had one.
   */
  context?: "reused" | "installed";
  trace: TRuleTrace[];
  console: string[];
  consoleTruncated: boolean;
  warnings: string[];
  durationMs: number;
};

/** A deny is not a failure: ok with `commands.denied` set. On failure, `commands` holds what was asked before it. */
export type TActionsRunResult =
  | (TActionsRunCommon & { ok: true })
  | (TActionsRunCommon & { ok: false; failure: TRuleFailure /* .rule = action name */ });

/** The api's own bounds inside the sandbox, checked again by the host on the way out. */
export const ACTION_API_LIMITS = {
  /** Calls recorded per kind (claims of one token, scopes, cache operations) in one login. */
  maxCalls: 256,
  /** JSON size of one custom claim value (and of multifactor options). */
  maxClaimBytes: 100 * 1024,
  cacheKeyChars: 256,
  cacheValueChars: 4096,
  /** Live cache entries per action. */
  cacheEntries: 20,
  cacheDefaultTtlMs: 15 * 60 * 1000,
  cacheMaxTtlMs: 24 * 60 * 60 * 1000,
} as const;

export interface TRulesRunner {
  /** Run the rules in order; resolves with a value for anything a rule does, never rejects because of it. */
  run(input: TRunInput): Promise<TRunResult>;
  /** Compile one rule script without running it (syntax check at save time). */
  check(script: string): Promise<TCheckResult>;
  /** Run the post-login Actions in order; resolves with a value for anything an action does, never rejects. */
  runActions(input: TActionsRunInput): Promise<TActionsRunResult>;
  /** Compile one Action's module code without running it (syntax check at save time). */
  checkAction(code: string): Promise<TCheckResult>;
  /** Warm isolates and their heap use, for benchmarks and health pages. */
  stats(): Promise<{
    isolates: number;
    heaps: { key: string; usedHeapBytes: number; totalHeapBytes: number }[];
  }>;
  /** Dispose every isolate. */
  dispose(): void;
}
