import type { TDeps } from "../config/deps.ts";
import type { TActor } from "../admin/audit.ts";
import { createAction } from "../admin/actions/create-action.ts";
import { updateAction } from "../admin/actions/update-action.ts";
import { deployAction } from "../admin/actions/deploy-action.ts";
import { updatePostLoginFlow } from "../admin/actions/update-post-login-flow.ts";
import type { TActionsPlan } from "./plan-actions.ts";

/**
 * Write the planned actions and the post-login flow through the same use cases as the dashboard, so each change
 * is audited the same way (secret names only, never values) with the importing actor. Runs inside the import's
 * transaction: an action that fails leaves every other step unwritten too. Unchanged actions write nothing.
 */
export async function applyActions(
  deps: TDeps,
  actor: TActor,
  plan: TActionsPlan,
  note: (isNew: boolean, label: string) => void,
): Promise<void> {
  for (const a of plan.actions) {
    const label = `action "${a.name}"`;
    let id: string;
    if (!a.current) {
      const created = await createAction(deps, actor, {
        name: a.name,
        code: a.draft.code,
        dependencies: a.draft.dependencies,
        runtime: a.draft.runtime,
        supported_triggers: a.draft.supportedTriggers,
        secrets: a.secretsToSet,
      });
      id = created.action.id;
      note(true, label);
    } else {
      id = a.current.id;
      if (a.isDraftChanged || a.secretsToSet.length > 0) {
        // The use case takes the full list of secrets to keep: the stored ones the file leaves out stay.
        const values = new Map(a.secretsToSet.map((s) => [s.name, s.value]));
        await updateAction(deps, actor, id, {
          ...(a.isDraftChanged
            ? {
                code: a.draft.code,
                dependencies: a.draft.dependencies,
                runtime: a.draft.runtime,
                supported_triggers: a.draft.supportedTriggers,
              }
            : {}),
          ...(a.secretsToSet.length > 0
            ? { secrets: a.secretNames.map((name) => ({ name, value: values.get(name) })) }
            : {}),
        });
        note(false, label);
      }
    }
    if (a.shouldDeploy) {
      await deployAction(deps, actor, id);
      note(false, `${label} deployed`);
    }
  }
  if (plan.flow) {
    await updatePostLoginFlow(deps, actor, {
      bindings: plan.flow.map((b) => ({
        ref: { type: "action_name", value: b.actionName },
        display_name: b.displayName,
      })),
    });
    note(false, 'trigger "post-login"');
  }
}
