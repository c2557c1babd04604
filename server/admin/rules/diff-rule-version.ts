import { structuredPatch } from "diff";
import type { TDeps } from "../../config/deps.ts";
import { findRule } from "../../store/rules.ts";
import { findRuleVersion } from "../../store/rule-versions.ts";
import { AdminError } from "../admin-error.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import type { TRulesActor } from "./rule-json.ts";

export type TDiffLine = {
  kind: "added" | "removed" | "unchanged";
  text: string;
  /** Line number in the older version (removed and unchanged lines). */
  old_line: number | null;
  /** Line number in the current version (added and unchanged lines). */
  new_line: number | null;
};

export type TDiffHunk = { header: string; lines: TDiffLine[] };

/** Line diff between two texts as unified-diff hunks (3 lines of context), each line numbered on its side. */
export function diffScripts(older: string, newer: string): TDiffHunk[] {
  const patch = structuredPatch("older", "current", older, newer, undefined, undefined, { context: 3 });
  return patch.hunks.map((h) => {
    let oldNo = h.oldStart;
    let newNo = h.newStart;
    const lines: TDiffLine[] = [];
    for (const raw of h.lines) {
      // "\ No newline at end of file" is patch syntax, not a line of either version.
      if (raw.startsWith("\\")) continue;
      const text = raw.slice(1);
      if (raw.startsWith("+")) lines.push({ kind: "added", text, old_line: null, new_line: newNo++ });
      else if (raw.startsWith("-")) lines.push({ kind: "removed", text, old_line: oldNo++, new_line: null });
      else lines.push({ kind: "unchanged", text, old_line: oldNo++, new_line: newNo++ });
    }
    return { header: `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, lines };
  });
}

/**
 * What changed between a saved version of a rule and its current script and name: unified line-diff hunks
 * (empty when the version is the same as the current one), and the names on both sides.
 */
export async function diffRuleVersion(deps: TDeps, admin: TRulesActor, id: string, version: number) {
  assertAdminAllowed(admin, "rules:read");
  const rule = await findRule(deps.db, id);
  if (!rule) throw AdminError.notFound("Rule not found");
  const older = await findRuleVersion(deps.db, id, version);
  if (!older) throw AdminError.notFound(`Version ${version} of the rule not found`);
  const hunks = diffScripts(older.script, rule.script);
  const count = (kind: TDiffLine["kind"]) =>
    hunks.reduce((n, h) => n + h.lines.filter((l) => l.kind === kind).length, 0);
  return {
    version,
    current_version: rule.version,
    old_name: older.name,
    current_name: rule.name,
    hunks,
    added: count("added"),
    removed: count("removed"),
  };
}
