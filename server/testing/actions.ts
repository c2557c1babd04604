import type { TDeps } from "../config/deps.ts";
import type { TTokenResult } from "./token-calls.ts";
import { insertActionVersion } from "../store/action-versions.ts";
import { upsertActionSecret } from "../store/action-secrets.ts";
import {
  deleteAction,
  insertAction,
  listActions,
  newActionId,
  setDeployedVersion,
} from "../store/actions.ts";
import { replaceFlowBindings } from "../store/flow-bindings.ts";
import { DEFAULT_SUPPORTED_TRIGGERS } from "../actions/action-settings.ts";

export type TTestAction = { name: string; code: string; secrets?: Record<string, string> };

/** Remove every action (with versions, secrets and bindings) and its cache (between tests). */
export async function resetActions(deps: TDeps): Promise<void> {
  for (const a of await listActions(deps.db)) {
    await deleteAction(deps.db, a.id);
    deps.actions.cache.drop(a.id);
  }
  deps.actions.clear();
}

/**
 * Store, deploy and bind actions to the post-login flow in the given order (replacing the flow), as an admin would
 * through the dashboard. Returns their ids.
 */
export async function bindActions(deps: TDeps, ...actions: TTestAction[]): Promise<string[]> {
  const at = deps.clock.now();
  const ids: string[] = [];
  for (const a of actions) {
    const id = newActionId();
    await insertAction(
      deps.db,
      {
        id,
        name: a.name,
        code: a.code,
        dependencies: [],
        runtime: "node22",
        supportedTriggers: DEFAULT_SUPPORTED_TRIGGERS,
      },
      at,
    );
    await insertActionVersion(
      deps.db,
      { actionId: id, number: 1, code: a.code, dependencies: [], runtime: "node22", createdBy: null },
      at,
    );
    await setDeployedVersion(deps.db, id, 1, at);
    for (const [k, v] of Object.entries(a.secrets ?? {}))
      await upsertActionSecret(deps.db, id, k, deps.box.seal("action-secret", v), at);
    ids.push(id);
  }
  await replaceFlowBindings(
    deps.db,
    "post-login",
    ids.map((actionId, i) => ({ actionId, displayName: actions[i]!.name })),
  );
  deps.actions.clear();
  return ids;
}

/** The actions section of the one audit record a token request wrote. */
export function actionsAudit(res: TTokenResult): {
  ran: { name: string; outcome: string; duration_ms: number }[];
  error?: { action: string | null; kind: string; reason: string };
  dropped_claims?: string[];
  multifactor?: { action: string; provider: string };
  warnings?: string[];
} {
  if (res.logs.length !== 1) throw new Error(`expected one audit record, got ${res.logs.length}`);
  const actions = res.logs[0]?.details?.actions;
  if (!actions) throw new Error(`no actions in the audit record: ${JSON.stringify(res.logs[0]?.details)}`);
  return actions as ReturnType<typeof actionsAudit>;
}
