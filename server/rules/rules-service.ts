import { createRulesRunner, type TRuleSource, type TRulesRunner } from "../../rules-runtime/index.ts";
import type { TEnv } from "../platform/env.ts";
import type { TSecretBox } from "../crypto/secret-box.ts";
import type { TSqlRunner } from "../store/raw-sql.ts";
import { listEnabledRules } from "../store/rules.ts";
import { listRuleSettingsSealed } from "../store/rule-settings.ts";
import { getRulesAllowedHosts } from "../store/tenant.ts";

/** What a login needs to run rules: enabled rules in order, decrypted settings, the fetch allowlist. */
export type TRulesSnapshot = {
  rules: TRuleSource[];
  /** The rules' ids, in the same order (`api.rules.wasExecuted` in actions). */
  ruleIds: string[];
  configuration: Record<string, string>;
  allowedHosts: string[];
};

/** The rules runner plus a short-lived cache of the rules, so logins never query for them. */
export interface TRulesService {
  runner: TRulesRunner;
  snapshot(): Promise<TRulesSnapshot>;
  /** Drop the cache (after an admin change in this process). */
  clear(): void;
  dispose(): void;
}

/**
 * Entries live for TTL_MS like the configuration cache: a rule change made through another server process is in
 * force within that time (well under the 2 s promised to admins), and a login costs no rules query.
 */
export const RULES_TTL_MS = 1000;

/** Build the rules service for one process. */
export function createRulesService(
  sql: TSqlRunner,
  box: TSecretBox,
  env: Pick<TEnv, "RULES_RULE_TIMEOUT_MS" | "RULES_PIPELINE_TIMEOUT_MS" | "RULES_MEMORY_LIMIT_MB">,
  ttlMs = RULES_TTL_MS,
): TRulesService {
  const runner = createRulesRunner({
    ruleTimeoutMs: env.RULES_RULE_TIMEOUT_MS,
    pipelineTimeoutMs: env.RULES_PIPELINE_TIMEOUT_MS,
    memoryLimitMb: env.RULES_MEMORY_LIMIT_MB,
  });
  let cached: { at: number; value: Promise<TRulesSnapshot> } | null = null;
  async function load(): Promise<TRulesSnapshot> {
    const [rules, settings, allowedHosts] = await Promise.all([
      listEnabledRules(sql),
      listRuleSettingsSealed(sql),
      getRulesAllowedHosts(sql),
    ]);
    const configuration: Record<string, string> = {};
    for (const s of settings) configuration[s.key] = box.open("rule-setting", s.valueEnc);
    return {
      rules: rules.map((r) => ({ name: r.name, script: r.script })),
      ruleIds: rules.map((r) => r.id),
      configuration,
      allowedHosts,
    };
  }
  return {
    runner,
    snapshot() {
      const now = Date.now();
      if (cached && now - cached.at < ttlMs) return cached.value;
      const value = load();
      const entry = { at: now, value };
      cached = entry;
      // A failed load must not be cached.
      value.catch(() => {
        if (cached === entry) cached = null;
      });
      return value;
    },
    clear() {
      cached = null;
    },
    dispose() {
      runner.dispose();
    },
  };
}
