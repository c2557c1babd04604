import type { TDeps } from "../../config/deps.ts";
import { findAction } from "../../store/actions.ts";
import { listActionVersions as listVersionRows } from "../../store/action-versions.ts";
import { AdminError } from "../admin-error.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import { toActionVersionJson, type TActionsActor } from "./action-json.ts";

/** Every kept version of an action, newest first, with who deployed it and which one is deployed. */
export async function listActionVersions(deps: TDeps, admin: TActionsActor, id: string) {
  assertAdminAllowed(admin, "actions:read");
  const action = await findAction(deps.db, id);
  if (!action) throw AdminError.notFound("Action not found");
  const versions = (await listVersionRows(deps.db, id)).map((v) =>
    toActionVersionJson(v, action.deployedVersion),
  );
  return { versions, total: versions.length };
}
