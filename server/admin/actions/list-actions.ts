import type { TDeps } from "../../config/deps.ts";
import { listActions as listActionRows } from "../../store/actions.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import { readActionJson, type TActionsActor } from "./action-json.ts";

/** Every action, by name, with its deployed version and the flows it is bound to (Auth0's list shape). */
export async function listActions(deps: TDeps, admin: TActionsActor) {
  assertAdminAllowed(admin, "actions:read");
  const rows = await listActionRows(deps.db);
  const actions = [];
  for (const a of rows) actions.push(await readActionJson(deps.db, a));
  return { actions, total: actions.length };
}
