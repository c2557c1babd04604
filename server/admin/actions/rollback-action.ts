import type { TDeps } from "../../config/deps.ts";
import { MAX_ACTION_VERSIONS } from "../../actions/action-settings.ts";
import { actionWarnings } from "../../actions/action-warnings.ts";
import { findAction, setDeployedVersion, updateAction } from "../../store/actions.ts";
import {
  findActionVersion,
  insertActionVersion,
  nextActionVersionNumber,
  pruneActionVersions,
} from "../../store/action-versions.ts";
import { AdminError } from "../admin-error.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import { readActionJson, type TActionsActor } from "./action-json.ts";
import { recordActionsChange } from "./record-actions-change.ts";

/**
 * Roll an action back to version `number`: its code, dependencies and runtime become a new version (N+1), deployed
 * at once, and the draft is set to it (an unsaved draft is replaced; the history keeps every deployed version).
 * Audited ("rollback action", from and to) in the same transaction.
 */
export async function rollbackAction(deps: TDeps, admin: TActionsActor, id: string, number: number) {
  assertAdminAllowed(admin, "actions:write");
  const action = await deps.db.transaction(async (tx) => {
    const before = await findAction(tx, id);
    if (!before) throw AdminError.notFound("Action not found");
    const target = await findActionVersion(tx, id, number);
    if (!target) throw AdminError.notFound(`Version ${number} of the action not found`);
    const now = deps.clock.now();
    const next = await nextActionVersionNumber(tx, id);
    await insertActionVersion(
      tx,
      {
        actionId: id,
        number: next,
        code: target.code,
        dependencies: target.dependencies,
        runtime: target.runtime,
        createdBy: admin.email,
      },
      now,
    );
    await updateAction(
      tx,
      id,
      { code: target.code, dependencies: target.dependencies, runtime: target.runtime },
      now,
    );
    await setDeployedVersion(tx, id, next, now);
    await pruneActionVersions(tx, id, MAX_ACTION_VERSIONS, next);
    await recordActionsChange(tx, deps, admin, {
      action: "rollback action",
      target: id,
      before: { id, name: before.name, deployed_version: before.deployedVersion, draft_code: before.code },
      after: {
        id,
        name: before.name,
        deployed_version: next,
        restored_from_version: number,
        code: target.code,
        dependencies: target.dependencies,
        runtime: target.runtime,
      },
    });
    const after = await findAction(tx, id);
    if (!after) throw AdminError.notFound("Action not found");
    return readActionJson(tx, after);
  });
  deps.actions.clear();
  return { action, warnings: actionWarnings(action.code) };
}
