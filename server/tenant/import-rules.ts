import type { TDeps } from "../config/deps.ts";
import type { TActor } from "../admin/audit.ts";
import { createRule } from "../admin/rules/create-rule.ts";
import { updateRule } from "../admin/rules/update-rule.ts";
import { setRuleSetting } from "../admin/rules/rule-settings.ts";
import { findRuleByName } from "../store/rules.ts";
import { listRuleSettingKeys } from "../store/rule-settings.ts";
import { ZRuleScript } from "../admin/rules/check-rule.ts";
import type { TTenantFile } from "./tenant-schema.ts";
import { findDuplicates, invalidFile, type TProblem } from "./read-tenant-file.ts";
import { readCodeFile } from "./read-code-file.ts";

// ─── Rules and rule settings ────────────────────────────────────────────────────────────────────────────────

export type TRulesPlan = {
  rules: { name: string; script: string; enabled?: boolean; order?: number }[];
  configs: { key: string; value?: string }[];
};

/** A `script` that is a single line ending in .js names a file beside the YAML (deploy-CLI layout). */
function isScriptPath(script: string): boolean {
  return !script.includes("\n") && /\.js$/i.test(script.trim());
}

/** Read script files and compile every rule (in the sandbox) before anything is written. */
export async function planRules(
  deps: TDeps,
  file: TTenantFile,
  baseDir: string | undefined,
): Promise<TRulesPlan> {
  const problems: TProblem[] = [];
  const rules = file.rules ?? [];
  for (const [name, i] of findDuplicates(rules.map((r) => r.name))) {
    problems.push({ path: `rules[${i}].name`, message: `"${name}" appears more than once` });
  }
  const planned: TRulesPlan["rules"] = [];
  for (const [i, r] of rules.entries()) {
    let script = r.script;
    if (isScriptPath(script)) {
      // Only files inside the tenant file's directory (no ../, no absolute path elsewhere, no symlink out).
      const read = await readCodeFile(baseDir, script);
      if (!read.ok) {
        problems.push({ path: `rules[${i}].script`, message: read.message });
        continue;
      }
      script = read.text;
    }
    if (!ZRuleScript.safeParse(script).success) {
      problems.push({ path: `rules[${i}].script`, message: "is empty or longer than 100 KB" });
      continue;
    }
    const compiled = await deps.rules.runner.check(script);
    if (!compiled.ok) {
      problems.push({ path: `rules[${i}].script`, message: `does not compile: ${compiled.message}` });
      continue;
    }
    planned.push({ name: r.name, script, enabled: r.enabled, order: r.order });
  }
  const configs = file.rulesConfigs ?? [];
  for (const [key, i] of findDuplicates(configs.map((c) => c.key))) {
    problems.push({ path: `rulesConfigs[${i}].key`, message: `"${key}" appears more than once` });
  }
  if (problems.length > 0) throw invalidFile(problems);
  return { rules: planned, configs };
}

/**
 * Write the planned rules and settings through the same use cases as the admin API, so each change is versioned
 * and audited (`sapi`, before/after, setting values redacted) with the importing actor.
 */
export async function applyRules(
  deps: TDeps,
  actor: TActor,
  plan: TRulesPlan,
  report: { unsupported: string[] },
  note: (isNew: boolean, label: string) => void,
): Promise<void> {
  for (const r of plan.rules) {
    const current = await findRuleByName(deps.db, r.name);
    if (current) {
      await updateRule(deps, actor, current.id, { script: r.script, enabled: r.enabled, order: r.order });
      note(false, `rule "${r.name}"`);
    } else {
      await createRule(deps, actor, { name: r.name, script: r.script, order: r.order, enabled: r.enabled });
      note(true, `rule "${r.name}"`);
    }
  }
  const existingKeys = new Set((await listRuleSettingKeys(deps.db)).map((s) => s.key));
  for (const [i, c] of plan.configs.entries()) {
    if (c.value === undefined) {
      // Exports carry keys only; an existing setting keeps its value, a new one needs a value.
      if (!existingKeys.has(c.key))
        report.unsupported.push(`rulesConfigs[${i}].value (missing: set "${c.key}" through the admin API)`);
      continue;
    }
    await setRuleSetting(deps, actor, c.key, { value: c.value });
    note(!existingKeys.has(c.key), `rulesConfig "${c.key}"`);
  }
}
