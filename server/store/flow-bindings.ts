import { newRowId, type TSqlRunner } from "./raw-sql.ts";
import { insertRow } from "./write-row.ts";

/** Every column of the FlowBinding table, in schema order. */
export const FLOW_BINDING_COLUMNS = ["id", "trigger", "position", "actionId", "displayName"] as const;

/** The triggers whose flows exist here. */
export const FLOW_TRIGGERS = ["post-login"] as const;
export type TFlowTrigger = (typeof FLOW_TRIGGERS)[number];

export type TFlowBindingRecord = { id: string; actionId: string; actionName: string; displayName: string };

/** A trigger's bindings in run order, with each action's name. */
export async function listFlowBindings(q: TSqlRunner, trigger: TFlowTrigger): Promise<TFlowBindingRecord[]> {
  const rows = await q.all<Record<"id" | "actionId" | "actionName" | "displayName", unknown>>(
    `SELECT b."id", b."actionId", a."name" AS "actionName", b."displayName" FROM "FlowBinding" b
       JOIN "Action" a ON a."id" = b."actionId" WHERE b."trigger" = ? ORDER BY b."position"`,
    [trigger],
  );
  return rows.map((r) => ({
    id: String(r.id),
    actionId: String(r.actionId),
    actionName: String(r.actionName),
    displayName: String(r.displayName),
  }));
}

/** Replace a trigger's flow with these bindings, in this order (Auth0's PATCH /actions/triggers/{id}/bindings). */
export async function replaceFlowBindings(
  q: TSqlRunner,
  trigger: TFlowTrigger,
  bindings: readonly { actionId: string; displayName: string }[],
): Promise<void> {
  await q.transaction(async (tx) => {
    await tx.run(`DELETE FROM "FlowBinding" WHERE "trigger" = ?`, [trigger]);
    let position = 0;
    for (const b of bindings)
      await insertRow(tx, "FlowBinding", {
        id: newRowId(),
        trigger,
        position: position++,
        actionId: b.actionId,
        displayName: b.displayName,
      });
  });
}

/** Triggers an action is bound to. */
export async function listTriggersOfAction(q: TSqlRunner, actionId: string): Promise<string[]> {
  const rows = await q.all<{ trigger: unknown }>(`SELECT "trigger" FROM "FlowBinding" WHERE "actionId" = ?`, [
    actionId,
  ]);
  return rows.map((r) => String(r.trigger));
}
