import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { SERVED_GRANT_TYPES } from "../oauth/grant-types.ts";

/**
 * Grant types used as label values. Anything else a client sends is counted as "other", so a client cannot grow
 * the number of series (metrics.test.ts checks this list against the registered grants).
 */
export const GRANT_TYPE_LABELS: ReadonlySet<string> = new Set(SERVED_GRANT_TYPES);

export type TBlockKind = "brute_force" | "ip_throttle";
export type TMfaFactor = "otp" | "recovery_code";

/**
 * The process's Prometheus metrics. Methods only observe or increment: they are called on the login hot path.
 * Every process keeps its own counts; scrape every process (docs/operations.md lists the metrics).
 */
export interface TMetrics {
  readonly registry: Registry;
  /** A token endpoint request finished: its outcome (see classifyTokenOutcome) and latency. */
  tokenRequest(grantType: string | undefined, status: number, outcome: string, seconds: number): void;
  /** A login was answered `mfa_required` (reason: tenant policy or a rule). */
  mfaRequired(reason: string): void;
  /** An MFA grant finished (outcome as for logins: success, invalid_grant, rate_limited, …). */
  mfaVerification(factor: TMfaFactor, outcome: string): void;
  /** A new brute-force or suspicious-IP block started. */
  block(kind: TBlockKind): void;
  /** One run of a login's rule pipeline (outcome `ok` or the failure kind). */
  rulesPipeline(seconds: number, outcome: string): void;
  actionsPipeline(seconds: number, outcome: string): void;
  /** How a login's actions got their warm context: `reused` (an idle one of the flow) or `installed` (a new one). */
  actionsContext(how: "reused" | "installed"): void;
  /** One password hash computation, including the wait for a hashing slot. */
  passwordHash(operation: "verify" | "hash" | "dummy", seconds: number): void;
  /** Audit records deleted by the retention job. */
  auditPruned(count: number): void;
  /** Add Node's process metrics (CPU, memory, event loop lag, GC). Once per process, by the server. */
  enableProcessMetrics(): void;
}

/** Build the metrics on a registry of their own (several dependency graphs can live in one test process). */
export function createMetrics(): TMetrics {
  const registry = new Registry();
  const registers = [registry];
  const logins = new Counter({
    name: "portcullis_logins_total",
    help: "Token endpoint requests by grant type and outcome (success, wrong_credentials, blocked, ip_throttled, mfa_required, rule_denied, user_blocked, password_leaked, rate_limited, unavailable, or the OAuth error code).",
    labelNames: ["grant_type", "outcome"] as const,
    registers,
  });
  const latency = new Histogram({
    name: "portcullis_token_request_duration_seconds",
    help: "Token endpoint latency (request parsed to response ready) by grant type and HTTP status.",
    labelNames: ["grant_type", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const mfaRequired = new Counter({
    name: "portcullis_mfa_required_total",
    help: "Password logins answered mfa_required, by reason (policy, rule).",
    labelNames: ["reason"] as const,
    registers,
  });
  const mfaVerifications = new Counter({
    name: "portcullis_mfa_verifications_total",
    help: "MFA grant requests by factor (otp, recovery_code) and outcome.",
    labelNames: ["factor", "outcome"] as const,
    registers,
  });
  const blocks = new Counter({
    name: "portcullis_protection_blocks_total",
    help: "New attack-protection blocks by kind (brute_force: an identifier reached the threshold; ip_throttle: an IP ran out of attempts).",
    labelNames: ["kind"] as const,
    registers,
  });
  const rules = new Histogram({
    name: "portcullis_rules_pipeline_duration_seconds",
    help: "Duration of a login's rule pipeline in the sandbox, by outcome (ok or the failure kind).",
    labelNames: ["outcome"] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const actions = new Histogram({
    name: "portcullis_actions_pipeline_duration_seconds",
    help: "Duration of a login's post-login actions in the sandbox, by outcome (ok, denied or the failure kind).",
    labelNames: ["outcome"] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const actionContexts = new Counter({
    name: "portcullis_actions_contexts_total",
    help: "Logins whose post-login actions ran in a reused warm context of their flow or in one installed for them (a deploy, 1,000 logins served, or more concurrent logins than idle contexts).",
    labelNames: ["how"] as const,
    registers,
  });
  const hashes = new Histogram({
    name: "portcullis_password_hash_duration_seconds",
    help: "Password hash work (verify, hash, dummy verify for unknown users), including the wait for a hashing slot.",
    labelNames: ["operation"] as const,
    buckets: [0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const pruned = new Counter({
    name: "portcullis_audit_records_pruned_total",
    help: "Audit records deleted by the retention job (AUDIT_RETENTION_DAYS).",
    registers,
  });
  let hasProcessMetrics = false;
  return {
    registry,
    tokenRequest(grantType, status, outcome, seconds) {
      const grant = grantType !== undefined && GRANT_TYPE_LABELS.has(grantType) ? grantType : "other";
      logins.inc({ grant_type: grant, outcome });
      latency.observe({ grant_type: grant, status: String(status) }, seconds);
    },
    mfaRequired: (reason) => mfaRequired.inc({ reason }),
    mfaVerification: (factor, outcome) => mfaVerifications.inc({ factor, outcome }),
    block: (kind) => blocks.inc({ kind }),
    rulesPipeline: (seconds, outcome) => rules.observe({ outcome }, seconds),
    actionsPipeline: (seconds, outcome) => actions.observe({ outcome }, seconds),
    actionsContext: (how) => actionContexts.inc({ how }),
    passwordHash: (operation, seconds) => hashes.observe({ operation }, seconds),
    auditPruned: (count) => pruned.inc(count),
    enableProcessMetrics() {
      if (hasProcessMetrics) return;
      hasProcessMetrics = true;
      collectDefaultMetrics({ register: registry });
    },
  };
}
