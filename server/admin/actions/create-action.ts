import { z } from "zod";
import type { TDeps } from "../../config/deps.ts";
import {
  DEFAULT_ACTION_RUNTIME,
  DEFAULT_SUPPORTED_TRIGGERS,
  ZActionCode,
  ZActionDependencies,
  ZActionName,
  ZActionRuntime,
  ZActionSecrets,
  ZSupportedTriggers,
} from "../../actions/action-settings.ts";
import { actionWarnings } from "../../actions/action-warnings.ts";
import { findActionByName, insertAction, newActionId } from "../../store/actions.ts";
import { upsertActionSecret } from "../../store/action-secrets.ts";
import { isUniqueViolation } from "../../store/raw-sql.ts";
import { AdminError } from "../admin-error.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import { DEFAULT_ACTION_CODE, readActionJson, toActionAudit, type TActionsActor } from "./action-json.ts";
import { assertActionCompiles } from "./check-action.ts";
import { parseActionsInput } from "./parse-actions-input.ts";
import { recordActionsChange } from "./record-actions-change.ts";

export const ZCreateAction = z
  .object({
    name: ZActionName,
    code: ZActionCode.optional(),
    dependencies: ZActionDependencies.optional(),
    runtime: ZActionRuntime.optional(),
    supported_triggers: ZSupportedTriggers.optional(),
    secrets: ZActionSecrets.optional(),
  })
  .strict();

export const actionNameTaken = (name: string) =>
  AdminError.conflict(`An action named "${name}" already exists`, {
    details: [{ path: "name", message: "is taken" }],
  });

/**
 * Create an action: a draft (nothing deployed, so no login runs it yet) with its secrets sealed. Code that does not
 * compile is refused. Audited in the same transaction (secret names only). Returns the action and the warnings.
 */
export async function createAction(deps: TDeps, admin: TActionsActor, body: unknown) {
  assertAdminAllowed(admin, "actions:write");
  const input = parseActionsInput(ZCreateAction, body);
  const code = input.code ?? DEFAULT_ACTION_CODE;
  await assertActionCompiles(deps, code);
  try {
    const action = await deps.db.transaction(async (tx) => {
      if (await findActionByName(tx, input.name)) throw actionNameTaken(input.name);
      const now = deps.clock.now();
      const row = await insertAction(
        tx,
        {
          id: newActionId(),
          name: input.name,
          code,
          dependencies: input.dependencies ?? [],
          runtime: input.runtime ?? DEFAULT_ACTION_RUNTIME,
          supportedTriggers: input.supported_triggers ?? DEFAULT_SUPPORTED_TRIGGERS,
        },
        now,
      );
      const secrets = input.secrets ?? [];
      for (const s of secrets)
        await upsertActionSecret(tx, row.id, s.name, deps.box.seal("action-secret", s.value), now);
      await recordActionsChange(tx, deps, admin, {
        action: "create action",
        target: row.id,
        after: toActionAudit(
          row,
          secrets.map((s) => s.name),
        ),
      });
      return readActionJson(tx, row);
    });
    return { action, warnings: actionWarnings(code) };
  } catch (err) {
    if (isUniqueViolation(err)) throw actionNameTaken(input.name);
    throw err;
  }
}
