import type { TDeps } from "../../config/deps.ts";
import { POST_LOGIN } from "../../actions/action-settings.ts";
import { listFlowBindings, type TFlowBindingRecord } from "../../store/flow-bindings.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import type { TActionsActor } from "./action-json.ts";

/** A binding as the admin API shows it (Auth0's trigger binding object). */
export function toBindingJson(b: TFlowBindingRecord) {
  return {
    id: b.id,
    trigger_id: POST_LOGIN,
    display_name: b.displayName,
    action: { id: b.actionId, name: b.actionName },
  };
}

/** The post-login flow: the bound actions in the order logins run them. */
export async function getPostLoginFlow(deps: TDeps, admin: TActionsActor) {
  assertAdminAllowed(admin, "actions:read");
  const bindings = (await listFlowBindings(deps.db, POST_LOGIN)).map(toBindingJson);
  return { bindings, total: bindings.length };
}
