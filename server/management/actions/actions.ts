import type { TDeps } from "../../config/deps.ts";
import { AdminError } from "../../admin/admin-error.ts";
import type { TActionJson } from "../../admin/actions/action-json.ts";
import { deployAction } from "../../admin/actions/deploy-action.ts";
import { getAction } from "../../admin/actions/get-action.ts";
import { getPostLoginFlow } from "../../admin/actions/get-post-login-flow.ts";
import { listActions } from "../../admin/actions/list-actions.ts";
import { POST_LOGIN } from "../../actions/action-settings.ts";
import type { TManagementCaller } from "../authenticate-management.ts";
import { ManagementError } from "../management-error.ts";
import { readBoolean, readPaging, readText, slicePage } from "../query-params.ts";

// /api/v2/actions over the dashboard's actions use cases, answered in Auth0's action, action version and trigger
// binding objects. Secrets appear by name only: the use cases never read a value back.

/** Auth0's trigger ids; only post-login runs here, the others hold no bindings. */
const AUTH0_TRIGGERS = new Set([
  "post-login",
  "credentials-exchange",
  "pre-user-registration",
  "post-user-registration",
  "post-change-password",
  "send-phone-message",
  "custom-email-provider",
  "password-reset-post-challenge",
]);

type TVersionJson = NonNullable<TActionJson["deployed_version"]>;

/** An action version as Auth0 returns it (`GetActionVersions200ResponseVersionsInner`). */
function auth0Version(v: TVersionJson, a: TActionJson) {
  return {
    id: v.id,
    action_id: v.action_id,
    number: v.number,
    code: v.code,
    dependencies: v.dependencies,
    runtime: v.runtime,
    secrets: a.secrets,
    supported_triggers: a.supported_triggers,
    deployed: v.deployed,
    status: v.status,
    errors: [],
    built_at: v.created_at,
    created_at: v.created_at,
    updated_at: v.created_at,
  };
}

/** An action as Auth0 returns it (`GetActions200ResponseActionsInner`): secrets by name and date only. */
export function auth0Action(a: TActionJson) {
  return {
    id: a.id,
    name: a.name,
    supported_triggers: a.supported_triggers,
    code: a.code,
    dependencies: a.dependencies,
    runtime: a.runtime,
    secrets: a.secrets.map((s) => ({ name: s.name, updated_at: s.updated_at })),
    ...(a.deployed_version ? { deployed_version: auth0Version(a.deployed_version, a) } : {}),
    status: a.status,
    all_changes_deployed: a.all_changes_deployed,
    built_at: a.deployed_version?.created_at ?? a.updated_at,
    created_at: a.created_at,
    updated_at: a.updated_at,
  };
}

const NO_ACTION = () => ManagementError.notFound("The action does not exist.", "inexistent_action");

async function orNoAction<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof AdminError && err.status === 404) throw NO_ACTION();
    throw err;
  }
}

/**
 * GET /api/v2/actions/actions: `triggerId`, `actionName` (exact), `deployed`, `installed` (true: marketplace
 * integrations only, of which there are none), `page`, `per_page` → `{actions, total, page, per_page}`.
 */
export async function listActionsPage(deps: TDeps, caller: TManagementCaller, url: URL) {
  const paging = readPaging(url, { defaultPerPage: 20 });
  const triggerId = readText(url, "triggerId", 64);
  const actionName = readText(url, "actionName", 255);
  const deployed = url.searchParams.get("deployed") ? readBoolean(url, "deployed", false) : undefined;
  const installed = readBoolean(url, "installed", false);
  const all = (await listActions(deps, caller)).actions.filter(
    (a) =>
      !installed &&
      (triggerId === undefined || a.supported_triggers.some((t) => t.id === triggerId)) &&
      (actionName === undefined || a.name === actionName) &&
      (deployed === undefined || (a.deployed_version !== null) === deployed),
  );
  return {
    actions: slicePage(all, paging).map(auth0Action),
    total: all.length,
    page: paging.page,
    per_page: paging.perPage,
  };
}

/** GET /api/v2/actions/actions/{id}. */
export async function getActionById(deps: TDeps, caller: TManagementCaller, id: string) {
  const { action } = await orNoAction(() => getAction(deps, caller, id));
  return auth0Action(action);
}

/** POST /api/v2/actions/actions/{id}/deploy: the draft becomes a new version; Auth0 answers that version. */
export async function deployActionById(deps: TDeps, caller: TManagementCaller, id: string) {
  const { action } = await orNoAction(() => deployAction(deps, caller, id));
  if (!action.deployed_version) throw new Error(`action ${id} has no deployed version after its deploy`);
  return auth0Version(action.deployed_version, action);
}

/**
 * GET /api/v2/actions/triggers/{triggerId}/bindings: the flow in the order logins run it, each binding with its
 * whole action, paged → `{bindings, total, page, per_page}`. Auth0's other triggers hold none here.
 */
export async function listTriggerBindings(
  deps: TDeps,
  caller: TManagementCaller,
  triggerId: string,
  url: URL,
) {
  const paging = readPaging(url, { defaultPerPage: 20 });
  if (!AUTH0_TRIGGERS.has(triggerId))
    throw ManagementError.notFound("The trigger does not exist.", "inexistent_trigger");
  const { bindings } =
    triggerId === POST_LOGIN ? await getPostLoginFlow(deps, caller) : { bindings: [] as const };
  const actions =
    bindings.length > 0
      ? new Map((await listActions(deps, caller)).actions.map((a) => [a.id, a]))
      : new Map();
  const page = slicePage([...bindings], paging).map((b) => {
    const action = actions.get(b.action.id) as TActionJson | undefined;
    return {
      id: b.id,
      trigger_id: b.trigger_id,
      display_name: b.display_name,
      action: action ? auth0Action(action) : b.action,
    };
  });
  return { bindings: page, total: bindings.length, page: paging.page, per_page: paging.perPage };
}
