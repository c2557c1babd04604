import type { TSqlRunner } from "../../store/raw-sql.ts";
import type { TActionRecord } from "../../store/actions.ts";
import { findActionVersion, type TActionVersionRecord } from "../../store/action-versions.ts";
import { listActionSecretNames } from "../../store/action-secrets.ts";
import { listTriggersOfAction } from "../../store/flow-bindings.ts";
import type { TActor } from "../audit.ts";

/** Who makes an actions change: the signed-in admin (or the API token, which acts as owner). */
export type TActionsActor = TActor;

/** The code of a new action when none is given (Auth0's template). */
export const DEFAULT_ACTION_CODE = `/**
 * Handler that will be called during the execution of a PostLogin flow.
 *
 * @param {Event} event - Details about the user and the context in which they are logging in.
 * @param {PostLoginAPI} api - Interface whose methods can be used to change the behavior of the login.
 */
exports.onExecutePostLogin = async (event, api) => {
};
`;

type TSecretName = { name: string; updatedAt: Date };

/** A version as the admin API shows it (Auth0's action version object). */
export function toActionVersionJson(v: TActionVersionRecord, deployedNumber: number | null) {
  return {
    id: v.id,
    action_id: v.actionId,
    number: v.number,
    code: v.code,
    dependencies: v.dependencies,
    runtime: v.runtime,
    deployed: v.number === deployedNumber,
    status: "built" as const,
    created_at: v.createdAt.toISOString(),
    created_by: v.createdBy,
  };
}

function sameDependencies(a: TActionRecord["dependencies"], b: TActionRecord["dependencies"]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * An action as the admin API shows it: Auth0's Management API action object (secrets by name only, never a value),
 * plus `bound_triggers`, the flows it is bound to.
 */
export function toActionJson(
  a: TActionRecord,
  deployed: TActionVersionRecord | null,
  secrets: readonly TSecretName[],
  boundTriggers: readonly string[],
) {
  return {
    id: a.id,
    name: a.name,
    code: a.code,
    dependencies: a.dependencies,
    runtime: a.runtime,
    supported_triggers: a.supportedTriggers,
    secrets: secrets.map((s) => ({ name: s.name, updated_at: s.updatedAt.toISOString() })),
    deployed_version: deployed ? toActionVersionJson(deployed, a.deployedVersion) : null,
    all_changes_deployed:
      deployed !== null &&
      deployed.code === a.code &&
      deployed.runtime === a.runtime &&
      sameDependencies(deployed.dependencies, a.dependencies),
    status: "built" as const,
    bound_triggers: [...new Set(boundTriggers)],
    created_at: a.createdAt.toISOString(),
    updated_at: a.updatedAt.toISOString(),
  };
}

export type TActionJson = ReturnType<typeof toActionJson>;

/** Read what {@link toActionJson} needs besides the action row (deployed version, secret names, bindings). */
export async function readActionJson(q: TSqlRunner, a: TActionRecord): Promise<TActionJson> {
  // One after another: `q` may be a transaction, whose one connection runs one query at a time.
  const deployed = a.deployedVersion === null ? null : await findActionVersion(q, a.id, a.deployedVersion);
  const secrets = await listActionSecretNames(q, a.id);
  const triggers = await listTriggersOfAction(q, a.id);
  return toActionJson(a, deployed, secrets, triggers);
}

/**
 * An action as an audit record keeps it: everything that defines its behaviour, code included, secrets by name
 * (their values are redacted from the code by recordActionsChange).
 */
export function toActionAudit(a: TActionRecord, secretNames: readonly string[]) {
  return {
    id: a.id,
    name: a.name,
    code: a.code,
    dependencies: a.dependencies,
    runtime: a.runtime,
    supported_triggers: a.supportedTriggers,
    secrets: [...secretNames],
    deployed_version: a.deployedVersion,
  };
}
