import type { TDeps } from "../../config/deps.ts";
import { findAction } from "../../store/actions.ts";
import { findActionVersion } from "../../store/action-versions.ts";
import { AdminError } from "../admin-error.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import { diffScripts, type TDiffLine } from "../rules/diff-rule-version.ts";
import type { TActionsActor } from "./action-json.ts";

/**
 * What changed between version `number` of an action and its current draft: unified line-diff hunks of the code
 * (empty when the same), and the dependencies and runtime on both sides.
 */
export async function diffActionVersion(deps: TDeps, admin: TActionsActor, id: string, number: number) {
  assertAdminAllowed(admin, "actions:read");
  const action = await findAction(deps.db, id);
  if (!action) throw AdminError.notFound("Action not found");
  const older = await findActionVersion(deps.db, id, number);
  if (!older) throw AdminError.notFound(`Version ${number} of the action not found`);
  const hunks = diffScripts(older.code, action.code);
  const count = (kind: TDiffLine["kind"]) =>
    hunks.reduce((n, h) => n + h.lines.filter((l) => l.kind === kind).length, 0);
  return {
    number,
    deployed_version: action.deployedVersion,
    old_dependencies: older.dependencies,
    current_dependencies: action.dependencies,
    old_runtime: older.runtime,
    current_runtime: action.runtime,
    hunks,
    added: count("added"),
    removed: count("removed"),
  };
}
