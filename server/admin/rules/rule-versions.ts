import { z } from "zod";
import type { TDeps } from "../../config/deps.ts";
import {
  findRule,
  findRuleVersion,
  listRuleVersions as listVersionRows,
  updateRule,
} from "../../store/rules.ts";
import { AdminError, notFound, parseInput } from "../errors.ts";
import { ruleWarnings } from "./check-rule.ts";
import { toRuleJson } from "./rule-json.ts";

/** Every saved version of a rule, newest first. */
export async function listRuleVersions(deps: TDeps, id: string) {
  const rule = await findRule(deps.db, id);
  if (!rule) throw notFound("Rule");
  return (await listVersionRows(deps.db, id)).map((v) => ({
    version: v.version,
    name: v.name,
    script: v.script,
    created_at: v.createdAt.toISOString(),
    is_current: v.version === rule.version,
  }));
}

export const ZRollbackRule = z.object({ version: z.number().int().min(1) });

/**
 * Roll a rule back to an earlier version: its name and script become current again as a new version, so the
 * history keeps what was rolled back from.
 */
export async function rollbackRule(deps: TDeps, id: string, body: unknown) {
  const { version } = parseInput(ZRollbackRule, body);
  if (!(await findRule(deps.db, id))) throw notFound("Rule");
  const target = await findRuleVersion(deps.db, id, version);
  if (!target) throw notFound(`Version ${version} of the rule`);
  const holder = await deps.db.rule.findUnique({ where: { name: target.name }, select: { id: true } });
  if (holder && holder.id !== id)
    throw new AdminError(409, "conflict", `Another rule is now named "${target.name}"`);
  const rule = await updateRule(deps.db, id, { name: target.name, script: target.script });
  if (!rule) throw notFound("Rule");
  deps.rules.clear();
  return { rule: toRuleJson(rule), warnings: ruleWarnings(rule.script) };
}
