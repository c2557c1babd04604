import type { TDeps } from "../../config/deps.ts";
import { AdminError } from "../../admin/admin-error.ts";
import { readJsonObject } from "../../admin/management-route.ts";
import { createRule } from "../../admin/rules/create-rule.ts";
import { deleteRule } from "../../admin/rules/delete-rule.ts";
import { getRule, listRules } from "../../admin/rules/list-rules.ts";
import type { TRuleJson } from "../../admin/rules/rule-json.ts";
import { updateRule } from "../../admin/rules/update-rule.ts";
import type { TManagementCaller } from "../authenticate-management.ts";
import { ManagementError } from "../management-error.ts";
import { pageBody, readBoolean, readFieldSelection, readPaging, slicePage } from "../query-params.ts";
import { created } from "../with-management.ts";

// /api/v2/rules over the dashboard's rules use cases (validation, compile check in the sandbox, versions, audit as
// the calling client), answered in Auth0's rule object and error bodies.

/** A rule as Auth0's Management API returns it (`Rule`). */
export function auth0Rule(r: TRuleJson) {
  return { id: r.id, name: r.name, script: r.script, order: r.order, enabled: r.enabled, stage: r.stage };
}

const NO_RULE = () => ManagementError.notFound("The rule does not exist.", "inexistent_rule");

/** The use cases' refusals in Auth0's words: a missing rule is `inexistent_rule`, a taken name `rule_conflict`,
 * a script that does not compile `invalid_body`. */
async function asAuth0<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof AdminError && err.status === 404) throw NO_RULE();
    // A script that does not compile is one more invalid body to Auth0's clients.
    if (err instanceof AdminError && err.status === 400 && err.code === "invalid_script")
      throw ManagementError.invalidBody(err.message);
    if (err instanceof AdminError && err.status === 409)
      throw ManagementError.conflict("A rule with the same name already exists", "rule_conflict");
    throw err;
  }
}

/** GET /api/v2/rules: rules in execution order, filtered by `enabled`, paged, with field selection. */
export async function listRulesPage(deps: TDeps, caller: TManagementCaller, url: URL) {
  const paging = readPaging(url);
  const pick = readFieldSelection(url);
  const enabled = url.searchParams.get("enabled") ? readBoolean(url, "enabled", true) : undefined;
  const all = (await listRules(deps, caller)).filter((r) => enabled === undefined || r.enabled === enabled);
  return pageBody(
    "rules",
    slicePage(all, paging).map((r) => pick(auth0Rule(r))),
    paging,
    all.length,
  );
}

/** GET /api/v2/rules/{id}. */
export async function getRuleById(deps: TDeps, caller: TManagementCaller, id: string, url: URL) {
  const pick = readFieldSelection(url);
  const { rule } = await asAuth0(() => getRule(deps, caller, id));
  return pick(auth0Rule(rule));
}

/** POST /api/v2/rules `{name, script, order?, enabled?, stage?}`: 201 with the new rule. */
export async function createRuleFromRequest(deps: TDeps, caller: TManagementCaller, req: Request) {
  const body = await readJsonObject(req);
  const { rule } = await asAuth0(() => createRule(deps, caller, body));
  return created(auth0Rule(rule));
}

/** PATCH /api/v2/rules/{id} `{name?, script?, order?, enabled?}`: the changed rule. */
export async function updateRuleFromRequest(
  deps: TDeps,
  caller: TManagementCaller,
  id: string,
  req: Request,
) {
  const body = await readJsonObject(req);
  const { rule } = await asAuth0(() => updateRule(deps, caller, id, body));
  return auth0Rule(rule);
}

/** DELETE /api/v2/rules/{id}: 204. */
export async function deleteRuleById(deps: TDeps, caller: TManagementCaller, id: string): Promise<undefined> {
  await asAuth0(() => deleteRule(deps, caller, id));
  return undefined;
}
