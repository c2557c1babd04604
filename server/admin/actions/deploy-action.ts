import type { TDeps } from "../../config/deps.ts";
import { MAX_ACTION_VERSIONS } from "../../actions/action-settings.ts";
import { actionWarnings } from "../../actions/action-warnings.ts";
import { findAction, setDeployedVersion } from "../../store/actions.ts";
import {
  insertActionVersion,
  nextActionVersionNumber,
  pruneActionVersions,
} from "../../store/action-versions.ts";
import { AdminError } from "../admin-error.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import { readActionJson, type TActionsActor } from "./action-json.ts";
import { assertActionCompiles } from "./check-action.ts";
import { recordActionsChange } from "./record-actions-change.ts";

/**
 * Deploy an action's draft: its code, dependencies and runtime become a new version (N+1), which logins run from
 * now on wherever the action is bound. Code that does not compile is refused. At most MAX_ACTION_VERSIONS versions
 * are kept (the oldest go). Audited in the same transaction.
 */
export async function deployAction(deps: TDeps, admin: TActionsActor, id: string) {
  assertAdminAllowed(admin, "actions:write");
  const draft = await findAction(deps.db, id);
  if (!draft) throw AdminError.notFound("Action not found");
  await assertActionCompiles(deps, draft.code);
  const action = await deps.db.transaction(async (tx) => {
    const before = await findAction(tx, id);
    if (!before) throw AdminError.notFound("Action not found");
    // The draft may have changed since the check: deploy only what was checked.
    if (before.code !== draft.code)
      throw AdminError.conflict("The action changed while it was being deployed; try again");
    const now = deps.clock.now();
    const number = await nextActionVersionNumber(tx, id);
    await insertActionVersion(
      tx,
      {
        actionId: id,
        number,
        code: before.code,
        dependencies: before.dependencies,
        runtime: before.runtime,
        createdBy: admin.email,
      },
      now,
    );
    await setDeployedVersion(tx, id, number, now);
    await pruneActionVersions(tx, id, MAX_ACTION_VERSIONS, number);
    await recordActionsChange(tx, deps, admin, {
      action: "deploy action",
      target: id,
      before: { id, name: before.name, deployed_version: before.deployedVersion },
      after: {
        id,
        name: before.name,
        deployed_version: number,
        code: before.code,
        dependencies: before.dependencies,
        runtime: before.runtime,
      },
    });
    const after = await findAction(tx, id);
    if (!after) throw AdminError.notFound("Action not found");
    return readActionJson(tx, after);
  });
  deps.actions.clear();
  return { action, warnings: actionWarnings(action.code) };
}
