import { z } from "zod";
import type { TDeps } from "../../config/deps.ts";
import { findRule, findRuleByName, updateRule } from "../../store/rules.ts";
import { findRuleVersion, listRuleVersions as listVersionRows } from "../../store/rule-versions.ts";
import { isUniqueViolation } from "../../store/raw-sql.ts";
import { AdminError } from "../admin-error.ts";
import { parseRulesInput } from "./parse-rules-input.ts";
import { ruleWarnings } from "./check-rule.ts";
import { toRuleJson, type TRulesActor } from "./rule-json.ts";
import { recordRulesChange } from "./record-rules-change.ts";
import { assertAdminAllowed } from "../admin-access.ts";

/** Every saved version of a rule, newest first, with who saved it (null: a tenant import or an older version). */
export async function listRuleVersions(deps: TDeps, admin: TRulesActor, id: string) {
  assertAdminAllowed(admin, "rules:read");
  const rule = await findRule(deps.db, id);
  if (!rule) throw AdminError.notFound("Rule not found");
  return (await listVersionRows(deps.db, id)).map((v) => ({
    version: v.version,
    name: v.name,
    script: v.script,
    created_at: v.createdAt.toISOString(),
    created_by: v.createdBy,
    is_current: v.version === rule.version,
  }));
}

export const ZRollbackRule = z.object({ version: z.number().int().min(1) });

const nameTaken = (name: string) => AdminError.conflict(`Another rule is now named "${name}"`);

/**
 * Roll a rule back to an earlier version: its name and script become current again as a new version saved by
 * `admin`, so the history keeps what was rolled back from. Audited in the same transaction.
 */
export async function rollbackRule(deps: TDeps, admin: TRulesActor, id: string, body: unknown) {
  assertAdminAllowed(admin, "rules:write");
  const { version } = parseRulesInput(ZRollbackRule, body);
  try {
    const rule = await deps.db.transaction(async (tx) => {
      const before = await findRule(tx, id);
      if (!before) throw AdminError.notFound("Rule not found");
      const target = await findRuleVersion(tx, id, version);
      if (!target) throw AdminError.notFound(`Version ${version} of the rule not found`);
      const holder = await findRuleByName(tx, target.name);
      if (holder && holder.id !== id) throw nameTaken(target.name);
      const after = await updateRule(
        tx,
        id,
        { name: target.name, script: target.script },
        admin.email,
        deps.clock.now(),
      );
      if (!after) throw AdminError.notFound("Rule not found");
      // Rolling back to what is already current changes nothing and makes no version; nothing to audit.
      if (after.version !== before.version) {
        await recordRulesChange(tx, deps, admin, {
          action: "rollback rule",
          target: id,
          before: { id, name: before.name, script: before.script, version: before.version },
          after: {
            id,
            name: after.name,
            script: after.script,
            version: after.version,
            restored_from_version: version,
          },
        });
      }
      return after;
    });
    deps.rules.clear();
    return { rule: toRuleJson(rule), warnings: ruleWarnings(rule.script) };
  } catch (err) {
    if (isUniqueViolation(err)) throw AdminError.conflict("Another rule has that name now");
    throw err;
  }
}
