import type { TDeps } from "../config/deps.ts";
import { MAX_ACTION_VERSIONS, POST_LOGIN } from "../actions/action-settings.ts";
import {
  findAction,
  findActionByName,
  insertAction,
  newActionId,
  setDeployedVersion,
  updateAction as updateActionRow,
} from "../store/actions.ts";
import { insertActionVersion, nextActionVersionNumber, pruneActionVersions } from "../store/action-versions.ts";
import { listActionSecretNames, upsertActionSecret } from "../store/action-secrets.ts";
import { listFlowBindings, replaceFlowBindings } from "../store/flow-bindings.ts";
import { recordAdminChange, type TActor } from "../admin/audit.ts";
import type { TActionDependency, TActionTrigger } from "../store/actions.ts";

// Stand-in for the admin use cases of server/admin/actions/ (being written on branch actions-admin), with their
// call shapes: the same writes and audit actions, so swapping them in changes no behaviour of the importer.

type TSecretIn = { name: string; value?: string };

export async function createAction(
  deps: TDeps,
  actor: TActor,
  body: {
    name: string;
    code: string;
    dependencies: TActionDependency[];
    runtime: string;
    supported_triggers: TActionTrigger[];
    secrets: { name: string; value: string }[];
  },
): Promise<{ action: { id: string } }> {
  const now = deps.clock.now();
  const row = await insertAction(
    deps.db,
    {
      id: newActionId(),
      name: body.name,
      code: body.code,
      dependencies: body.dependencies,
      runtime: body.runtime,
      supportedTriggers: body.supported_triggers,
    },
    now,
  );
  for (const s of body.secrets)
    await upsertActionSecret(deps.db, row.id, s.name, deps.box.seal("action-secret", s.value), now);
  await recordAdminChange(deps.db, now, actor, {
    action: "create action",
    target: row.id,
    after: { id: row.id, name: row.name, secrets: body.secrets.map((s) => s.name) },
  });
  return { action: { id: row.id } };
}

export async function updateAction(
  deps: TDeps,
  actor: TActor,
  id: string,
  body: {
    code?: string;
    dependencies?: TActionDependency[];
    runtime?: string;
    supported_triggers?: TActionTrigger[];
    secrets?: TSecretIn[];
  },
): Promise<void> {
  const now = deps.clock.now();
  const set: string[] = [];
  for (const s of body.secrets ?? [])
    if (s.value !== undefined) {
      await upsertActionSecret(deps.db, id, s.name, deps.box.seal("action-secret", s.value), now);
      set.push(s.name);
    }
  const row = await updateActionRow(
    deps.db,
    id,
    {
      code: body.code,
      dependencies: body.dependencies,
      runtime: body.runtime,
      supportedTriggers: body.supported_triggers,
    },
    now,
  );
  await recordAdminChange(deps.db, now, actor, {
    action: "update action",
    target: id,
    after: {
      id,
      name: row?.name,
      secrets: (await listActionSecretNames(deps.db, id)).map((s) => s.name),
      secrets_set: set,
    },
  });
}

export async function deployAction(deps: TDeps, actor: TActor, id: string): Promise<void> {
  const now = deps.clock.now();
  const before = await findAction(deps.db, id);
  if (!before) throw new Error("Action not found");
  const number = await nextActionVersionNumber(deps.db, id);
  await insertActionVersion(
    deps.db,
    {
      actionId: id,
      number,
      code: before.code,
      dependencies: before.dependencies,
      runtime: before.runtime,
      createdBy: actor.email,
    },
    now,
  );
  await setDeployedVersion(deps.db, id, number, now);
  await pruneActionVersions(deps.db, id, MAX_ACTION_VERSIONS, number);
  await recordAdminChange(deps.db, now, actor, {
    action: "deploy action",
    target: id,
    before: { id, name: before.name, deployed_version: before.deployedVersion },
    after: { id, name: before.name, deployed_version: number },
  });
}

export async function updatePostLoginFlow(
  deps: TDeps,
  actor: TActor,
  body: { bindings: { ref: { type: "action_name"; value: string }; display_name?: string }[] },
): Promise<void> {
  const before = await listFlowBindings(deps.db, POST_LOGIN);
  const wanted: { actionId: string; displayName: string }[] = [];
  for (const b of body.bindings) {
    const action = await findActionByName(deps.db, b.ref.value);
    if (!action || action.deployedVersion === null)
      throw new Error(`The action "${b.ref.value}" is not deployed: deploy it before binding it`);
    wanted.push({ actionId: action.id, displayName: b.display_name ?? action.name });
  }
  await replaceFlowBindings(deps.db, POST_LOGIN, wanted);
  const after = await listFlowBindings(deps.db, POST_LOGIN);
  const summary = (bs: typeof before) => bs.map((b) => ({ action_name: b.actionName, display_name: b.displayName }));
  await recordAdminChange(deps.db, deps.clock.now(), actor, {
    action: "update post-login flow",
    target: POST_LOGIN,
    before: summary(before),
    after: summary(after),
  });
}
