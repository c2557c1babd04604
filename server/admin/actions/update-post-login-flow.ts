import { z } from "zod";
import type { TDeps } from "../../config/deps.ts";
import { POST_LOGIN } from "../../actions/action-settings.ts";
import { findAction, findActionByName, type TActionRecord } from "../../store/actions.ts";
import { listFlowBindings, replaceFlowBindings } from "../../store/flow-bindings.ts";
import type { TSqlRunner } from "../../store/raw-sql.ts";
import { AdminError } from "../admin-error.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import type { TActionsActor } from "./action-json.ts";
import { toBindingJson } from "./get-post-login-flow.ts";
import { parseActionsInput } from "./parse-actions-input.ts";
import { recordActionsChange } from "./record-actions-change.ts";

/** Bindings in a flow at most (far more than any tenant runs; each costs time on every login). */
export const MAX_FLOW_BINDINGS = 50;

/** Auth0's PATCH /actions/triggers/{triggerId}/bindings body: the whole flow, in run order. */
export const ZUpdateFlow = z
  .object({
    bindings: z
      .array(
        z
          .object({
            ref: z
              .object({
                type: z.enum(["action_id", "action_name", "binding_id"]),
                value: z.string().min(1).max(255),
              })
              .strict(),
            display_name: z.string().trim().min(1).max(255).optional(),
          })
          .strict(),
      )
      .max(MAX_FLOW_BINDINGS, `a flow may bind at most ${MAX_FLOW_BINDINGS} actions`),
  })
  .strict();

type TRef = z.infer<typeof ZUpdateFlow>["bindings"][number]["ref"];

async function resolveRef(tx: TSqlRunner, ref: TRef, path: string): Promise<TActionRecord> {
  let action: TActionRecord | null;
  if (ref.type === "action_id") action = await findAction(tx, ref.value);
  else if (ref.type === "action_name") action = await findActionByName(tx, ref.value);
  else {
    const bound = (await listFlowBindings(tx, POST_LOGIN)).find((b) => b.id === ref.value);
    action = bound ? await findAction(tx, bound.actionId) : null;
  }
  if (!action)
    throw AdminError.invalid(`No action with ${ref.type} "${ref.value}"`, {
      details: [{ path, message: "names no action" }],
    });
  return action;
}

/**
 * Replace the post-login flow with these bindings, in this order (each by action id, name, or a current binding's
 * id, with an optional display name). Only deployed actions may be bound, each once; a refusal names the action.
 * Logins follow at once. Audited in the same transaction (the flow before and after).
 */
export async function updatePostLoginFlow(deps: TDeps, admin: TActionsActor, body: unknown) {
  assertAdminAllowed(admin, "actions:write");
  const input = parseActionsInput(ZUpdateFlow, body);
  const bindings = await deps.db.transaction(async (tx) => {
    const before = await listFlowBindings(tx, POST_LOGIN);
    const wanted: { actionId: string; displayName: string }[] = [];
    for (const [i, b] of input.bindings.entries()) {
      const path = `bindings[${i}].ref`;
      const action = await resolveRef(tx, b.ref, path);
      if (action.deployedVersion === null)
        throw AdminError.invalid(`The action "${action.name}" is not deployed: deploy it before binding it`, {
          details: [{ path, message: `"${action.name}" is not deployed` }],
        });
      if (wanted.some((w) => w.actionId === action.id))
        throw AdminError.invalid(`The action "${action.name}" is bound twice`, {
          details: [{ path, message: `"${action.name}" is already in the flow` }],
        });
      wanted.push({ actionId: action.id, displayName: b.display_name ?? action.name });
    }
    await replaceFlowBindings(tx, POST_LOGIN, wanted);
    const after = await listFlowBindings(tx, POST_LOGIN);
    const summary = (bs: typeof before) =>
      bs.map((b) => ({ action_id: b.actionId, action_name: b.actionName, display_name: b.displayName }));
    await recordActionsChange(tx, deps, admin, {
      action: "update post-login flow",
      target: POST_LOGIN,
      before: summary(before),
      after: summary(after),
    });
    return after.map(toBindingJson);
  });
  deps.actions.clear();
  return { bindings, total: bindings.length };
}
