import type { TDeps } from "../../config/deps.ts";
import { actionWarnings } from "../../actions/action-warnings.ts";
import { findAction } from "../../store/actions.ts";
import { AdminError } from "../admin-error.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import { readActionJson, type TActionsActor } from "./action-json.ts";

/** One action with the static warnings of its draft code. */
export async function getAction(deps: TDeps, admin: TActionsActor, id: string) {
  assertAdminAllowed(admin, "actions:read");
  const action = await findAction(deps.db, id);
  if (!action) throw AdminError.notFound("Action not found");
  return { action: await readActionJson(deps.db, action), warnings: actionWarnings(action.code) };
}
