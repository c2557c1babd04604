import type { TDeps } from "../../config/deps.ts";
import { deleteAction as deleteActionRow, findAction } from "../../store/actions.ts";
import { listActionSecretNames } from "../../store/action-secrets.ts";
import { listTriggersOfAction } from "../../store/flow-bindings.ts";
import { AdminError } from "../admin-error.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import { toActionAudit, type TActionsActor } from "./action-json.ts";
import { recordActionsChange } from "./record-actions-change.ts";

/**
 * Delete an action with its versions and secrets. One bound to a flow is refused (409) unless `force`, which also
 * removes it from the flow (Auth0's `?force=true`). The audit record keeps the action (code, secret names), so it
 * can be recreated from the log.
 */
export async function deleteAction(
  deps: TDeps,
  admin: TActionsActor,
  id: string,
  opts: { force?: boolean } = {},
): Promise<void> {
  assertAdminAllowed(admin, "actions:write");
  await deps.db.transaction(async (tx) => {
    const before = await findAction(tx, id);
    if (!before) throw AdminError.notFound("Action not found");
    const triggers = [...new Set(await listTriggersOfAction(tx, id))];
    if (triggers.length > 0 && !opts.force)
      throw AdminError.conflict(
        `The action "${before.name}" is bound to the ${triggers.join(", ")} flow: remove it from the flow first, or delete with force=true`,
        { code: "action_bound", details: { bound_triggers: triggers } },
      );
    const names = (await listActionSecretNames(tx, id)).map((s) => s.name);
    // Recorded before the delete: the secrets' values are still there to be redacted from the code.
    await recordActionsChange(tx, deps, admin, {
      action: "delete action",
      target: id,
      before: { ...toActionAudit(before, names), bound_triggers: triggers },
    });
    if (!(await deleteActionRow(tx, id))) throw AdminError.notFound("Action not found");
  });
  deps.actions.cache.drop(id);
  deps.actions.clear();
}
