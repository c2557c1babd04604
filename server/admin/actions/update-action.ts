import { z } from "zod";
import type { TDeps } from "../../config/deps.ts";
import {
  MAX_ACTION_SECRETS,
  ZActionCode,
  ZActionDependencies,
  ZActionName,
  ZActionRuntime,
  ZActionSecretName,
  ZActionSecretValue,
  ZSupportedTriggers,
} from "../../actions/action-settings.ts";
import { actionWarnings } from "../../actions/action-warnings.ts";
import { findAction, findActionByName, updateAction as updateActionRow } from "../../store/actions.ts";
import { deleteActionSecret, listActionSecretNames, upsertActionSecret } from "../../store/action-secrets.ts";
import { isUniqueViolation, type TSqlRunner } from "../../store/raw-sql.ts";
import { AdminError } from "../admin-error.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import { readActionJson, toActionAudit, type TActionsActor } from "./action-json.ts";
import { assertActionCompiles } from "./check-action.ts";
import { actionNameTaken } from "./create-action.ts";
import { parseActionsInput } from "./parse-actions-input.ts";
import { readActionSecretValues, recordActionsChange } from "./record-actions-change.ts";

/** The secrets to keep: a value sets (or replaces) one, no value keeps its current value; unlisted ones go. */
const ZKeptSecrets = z
  .array(z.object({ name: ZActionSecretName, value: ZActionSecretValue.optional() }).strict())
  .max(MAX_ACTION_SECRETS, `an action may have at most ${MAX_ACTION_SECRETS} secrets`)
  .refine((s) => new Set(s.map((x) => x.name)).size === s.length, "secret names must be unique");

export const ZUpdateAction = z
  .object({
    name: ZActionName.optional(),
    code: ZActionCode.optional(),
    dependencies: ZActionDependencies.optional(),
    runtime: ZActionRuntime.optional(),
    supported_triggers: ZSupportedTriggers.optional(),
    secrets: ZKeptSecrets.optional(),
  })
  .strict();

type TKeptSecret = z.infer<typeof ZKeptSecrets>[number];

/** Apply the kept-secrets list; returns the names whose value was set and the names removed. */
async function applySecrets(
  tx: TSqlRunner,
  deps: Pick<TDeps, "box">,
  actionId: string,
  kept: readonly TKeptSecret[],
  current: readonly string[],
  at: Date,
): Promise<{ set: string[]; removed: string[] }> {
  for (const [i, s] of kept.entries())
    if (s.value === undefined && !current.includes(s.name))
      throw AdminError.invalid(`The secret "${s.name}" has no value yet: give one`, {
        details: [{ path: `secrets[${i}].value`, message: "is required for a new secret" }],
      });
  const set: string[] = [];
  for (const s of kept)
    if (s.value !== undefined) {
      await upsertActionSecret(tx, actionId, s.name, deps.box.seal("action-secret", s.value), at);
      set.push(s.name);
    }
  const keptNames = new Set(kept.map((s) => s.name));
  const removed = current.filter((n) => !keptNames.has(n));
  for (const n of removed) await deleteActionSecret(tx, actionId, n);
  return { set, removed };
}

type TAudit = ReturnType<typeof toActionAudit>;

/** Before/after of the fields that changed (plus id and name, so a record reads on its own); null: nothing did. */
function describeChange(b: TAudit, a: TAudit, secretsSet: string[]) {
  const changed = (Object.keys(a) as (keyof TAudit)[]).filter(
    (k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]),
  );
  if (changed.length === 0 && secretsSet.length === 0) return null;
  const pick = (r: TAudit) =>
    Object.fromEntries(["id", "name", ...changed].map((k) => [k, r[k as keyof TAudit]]));
  return {
    before: pick(b),
    after: { ...pick(a), ...(secretsSet.length > 0 ? { secrets_set: secretsSet } : {}) },
  };
}

/**
 * Change an action's draft (name, code, dependencies, runtime: logins keep running the deployed version until the
 * next deploy) and its secrets (in force at once for the deployed version). `secrets` is the full list to keep:
 * `{name, value}` sets or replaces a value, `{name}` keeps the current one (it must exist), unlisted ones are
 * deleted. Audited in the same transaction when anything changed; secret values never appear in the record.
 */
export async function updateAction(deps: TDeps, admin: TActionsActor, id: string, body: unknown) {
  assertAdminAllowed(admin, "actions:write");
  const input = parseActionsInput(ZUpdateAction, body);
  if (input.code !== undefined) await assertActionCompiles(deps, input.code);
  try {
    const action = await deps.db.transaction(async (tx) => {
      const before = await findAction(tx, id);
      if (!before) throw AdminError.notFound("Action not found");
      if (input.name !== undefined) {
        const holder = await findActionByName(tx, input.name);
        if (holder && holder.id !== id) throw actionNameTaken(input.name);
      }
      const now = deps.clock.now();
      const namesBefore = (await listActionSecretNames(tx, id)).map((s) => s.name);
      const formerValues = await readActionSecretValues(tx, deps);
      const secrets = input.secrets
        ? await applySecrets(tx, deps, id, input.secrets, namesBefore, now)
        : { set: [], removed: [] };
      const patch = {
        name: input.name,
        code: input.code,
        dependencies: input.dependencies,
        runtime: input.runtime,
        supportedTriggers: input.supported_triggers,
      };
      const touched =
        Object.values(patch).some((v) => v !== undefined) ||
        secrets.set.length > 0 ||
        secrets.removed.length > 0;
      const after = touched ? await updateActionRow(tx, id, patch, now) : before;
      if (!after) throw AdminError.notFound("Action not found");
      const namesAfter = (await listActionSecretNames(tx, id)).map((s) => s.name);
      const change = describeChange(
        toActionAudit(before, namesBefore),
        toActionAudit(after, namesAfter),
        secrets.set,
      );
      if (change)
        await recordActionsChange(
          tx,
          deps,
          admin,
          { action: "update action", target: id, ...change },
          formerValues,
        );
      return readActionJson(tx, after);
    });
    // Secrets (and the name in login records) of a bound action are in force at once.
    deps.actions.clear();
    return { action, warnings: actionWarnings(action.code) };
  } catch (err) {
    if (isUniqueViolation(err) && input.name !== undefined) throw actionNameTaken(input.name);
    throw err;
  }
}
