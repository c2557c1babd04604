import type { TDeps } from "../../config/deps.ts";
import { AdminError } from "../../admin/admin-error.ts";
import { readJsonObject } from "../../admin/management-route.ts";
import { deleteRuleSetting, listRuleSettings, setRuleSetting } from "../../admin/rules/rule-settings.ts";
import type { TManagementCaller } from "../authenticate-management.ts";
import { ManagementError } from "../management-error.ts";

// /api/v2/rules-configs over the dashboard's rule-settings use cases: values are sealed on the way in and never
// read back out (Auth0 lists keys only); changes are audited by key, as the calling client.

/** GET /api/v2/rules-configs: every key, `[{key}]`; never a value. */
export async function listRulesConfigs(deps: TDeps, caller: TManagementCaller) {
  return (await listRuleSettings(deps, caller)).map((s) => ({ key: s.key }));
}

/**
 * PUT /api/v2/rules-configs/{key} `{value}`: create or replace a setting. Auth0 answers `{key, value}`, echoing the
 * value the caller just sent (nothing stored is read back).
 */
export async function putRulesConfig(deps: TDeps, caller: TManagementCaller, key: string, req: Request) {
  const body = await readJsonObject(req);
  const saved = await setRuleSetting(deps, caller, key, body);
  return { key: saved.key, value: body.value as string };
}

/** DELETE /api/v2/rules-configs/{key}: 204; an unknown key is Auth0's 404. */
export async function deleteRulesConfig(
  deps: TDeps,
  caller: TManagementCaller,
  key: string,
): Promise<undefined> {
  try {
    await deleteRuleSetting(deps, caller, key);
  } catch (err) {
    if (err instanceof AdminError && err.status === 404)
      throw ManagementError.notFound("The rules config does not exist.", "inexistent_rules_config");
    throw err;
  }
  return undefined;
}
