import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDeps, testDatabaseKinds, type TTestDeps } from "../testing/test-deps.ts";
import { seedFixture, type TFixture } from "../testing/fixtures.ts";
import { RULES_TEST_ENV } from "../testing/rules.ts";
import { findAdminByEmail } from "../store/admin-users.ts";
import { AdminError } from "./admin-error.ts";
import { CLI_ACTOR } from "./audit.ts";
import type { TAdmin } from "./session.ts";
import { ROLES, canPerform, type TAction, type TRole } from "./roles.ts";
import { adminOf } from "../testing/admin-actors.ts";
import { confirmAdminTotpEnrollment, createAdminAccount, startAdminTotpEnrollment } from "./accounts.ts";
import { createApplication, deleteApplication, rotateClientSecret } from "./applications.ts";
import {
  createApi,
  createConnection,
  getApisView,
  getConnectionsView,
  setDefaultDirectory,
} from "./directory.ts";
import { createUser } from "./create-user.ts";
import { getApi } from "./get-api.ts";
import { getApplication } from "./get-application.ts";
import { getConnection } from "./get-connection.ts";
import { getMfaSettings, getUserAuthenticators, resetUserMfa, saveMfaSettings } from "./mfa.ts";
import { setUserPassword } from "./set-user-password.ts";
import { deleteUser } from "./delete-user.ts";
import { createPasswordChangeTicket } from "./create-password-change-ticket.ts";
import { updateApi } from "./update-api.ts";
import { createClientGrant } from "./client-grants/create-client-grant.ts";
import { deleteClientGrant } from "./client-grants/delete-client-grant.ts";
import { listClientGrants } from "./client-grants/list-client-grants.ts";
import { getApiClientGrants } from "./client-grants/get-api-client-grants.ts";
import { getApplicationClientGrants } from "./client-grants/get-application-client-grants.ts";
import { updateClientGrant } from "./client-grants/update-client-grant.ts";
import { updateApplication } from "./update-application.ts";
import { updateConnection } from "./update-connection.ts";
import { updateUser } from "./update-user.ts";
import { findUsers, getUserDetail, getUsersScreen, setUserBlocked } from "./users.ts";
import { exportLogsStream, getApplications, getLogDetail, getLogsPage, getOverview } from "./views.ts";
import { getAttackProtection } from "./protection/get-attack-protection.ts";
import { getIpBlock } from "./protection/get-ip-block.ts";
import { getProtectionView } from "./protection/get-protection-view.ts";
import { getAttackView } from "./attack-view/get-attack-view.ts";
import { explainLockout } from "./lockout/explain-lockout.ts";
import { getUserBlocks } from "./protection/get-user-blocks.ts";
import { listBlocks } from "./protection/list-blocks.ts";
import { listNotifications } from "./protection/list-notifications.ts";
import { unblockIp } from "./protection/unblock-ip.ts";
import { unblockUser } from "./protection/unblock-user.ts";
import { updateAttackProtection } from "./protection/update-attack-protection.ts";
import { createRule } from "./rules/create-rule.ts";
import { deleteRule } from "./rules/delete-rule.ts";
import { diffRuleVersion } from "./rules/diff-rule-version.ts";
import { getRule, listRules } from "./rules/list-rules.ts";
import { reorderRules } from "./rules/reorder-rules.ts";
import { deleteRuleSetting, listRuleSettings, setRuleSetting } from "./rules/rule-settings.ts";
import { listRuleVersions, rollbackRule } from "./rules/rule-versions.ts";
import { getRulesNetwork, setRulesNetwork } from "./rules/rules-network.ts";
import { tryRules } from "./rules/try-rules.ts";
import { updateRule } from "./rules/update-rule.ts";
import { createAction } from "./actions/create-action.ts";
import { deleteAction } from "./actions/delete-action.ts";
import { deployAction } from "./actions/deploy-action.ts";
import { diffActionVersion } from "./actions/diff-action-version.ts";
import { getAction } from "./actions/get-action.ts";
import { getPostLoginFlow } from "./actions/get-post-login-flow.ts";
import { listActionVersions } from "./actions/list-action-versions.ts";
import { listActions } from "./actions/list-actions.ts";
import { rollbackAction } from "./actions/rollback-action.ts";
import { updateAction } from "./actions/update-action.ts";
import { updatePostLoginFlow } from "./actions/update-post-login-flow.ts";
import { tryAction } from "./actions/try-action.ts";

// Every admin use case checks the caller's role itself (assertAdminAllowed), first thing, with the action its route
// guard or page uses, so no caller (another route, a page, the CLI, an import) can skip the check. The table says
// which action each one needs; the completeness check below fails for a use case added without an entry.

/** What the use cases act on, made once per database before the table runs. */
type TWorld = {
  deps: TTestDeps;
  fx: TFixture;
  /** A dashboard account (account:self use cases act on the caller's own account). */
  accountId: string;
  ruleId: string;
  doomedRuleId: string;
  doomedClientId: string;
  /** A deployed action with two versions. */
  actionId: string;
  doomedActionId: string;
  doomedUserId: string;
  clientGrantId: string;
  doomedClientGrantId: string;
};

type TEntry = {
  /** The use case (each has its own parameters; the table calls it through `call`). */
  fn: (...args: never[]) => unknown;
  action: TAction;
  /** One call with arguments that succeed when the caller is allowed. */
  call: (w: TWorld, admin: TAdmin) => unknown;
  /** An allowed call that still fails, for a reason other than the role (e.g. 404 for an IP that is not blocked). */
  allowedStatus?: number;
};

let unique = 0;
const next = () => ++unique;
const script = (value: string) =>
  `function (user, context, callback) {\n  context.accessToken['https://portcullis.test/x'] = '${value}';\n  callback(null, user, context);\n}`;

const actionCode = (value: string) =>
  `exports.onExecutePostLogin = async (event, api) => {\n  api.idToken.setCustomClaim('https://portcullis.test/x', '${value}');\n};`;

const TABLE: TEntry[] = [
  // accounts.ts
  {
    fn: createAdminAccount,
    action: "admins:manage",
    call: (w, a) =>
      createAdminAccount(w.deps, a, {
        email: `made-${next()}@example.com`,
        role: "viewer",
        password: "long-enough-password",
      }),
  },
  {
    fn: startAdminTotpEnrollment,
    action: "account:self",
    call: (w, a) => startAdminTotpEnrollment(w.deps, { ...a, id: w.accountId }),
  },
  {
    fn: confirmAdminTotpEnrollment,
    action: "account:self",
    call: (w, a) => confirmAdminTotpEnrollment(w.deps, { ...a, id: w.accountId }, "000000"),
  },
  // applications.ts, update-application.ts, get-application.ts
  {
    fn: createApplication,
    action: "config:write",
    call: (w, a) =>
      createApplication(w.deps, a, {
        name: `Perm App ${next()}`,
        app_type: "regular_web",
        is_first_party: true,
        token_endpoint_auth_method: "client_secret_post",
        grant_types: ["password"],
      }),
  },
  {
    fn: rotateClientSecret,
    action: "config:write",
    call: (w, a) => rotateClientSecret(w.deps, a, w.fx.clients.basic.clientId),
  },
  {
    fn: deleteApplication,
    action: "config:write",
    call: (w, a) => deleteApplication(w.deps, a, w.doomedClientId),
  },
  {
    fn: updateApplication,
    action: "config:write",
    call: (w, a) => updateApplication(w.deps, a, w.fx.clients.basic.clientId, { id_token_lifetime: 1200 }),
  },
  {
    fn: getApplication,
    action: "config:read",
    call: (w, a) => getApplication(w.deps, a, w.fx.clients.web.clientId),
  },
  // directory.ts, update-connection.ts, get-connection.ts, update-api.ts, get-api.ts
  { fn: getConnectionsView, action: "config:read", call: (w, a) => getConnectionsView(w.deps, a) },
  {
    fn: createConnection,
    action: "config:write",
    call: (w, a) => createConnection(w.deps, a, { name: `Perm-Connection-${next()}` }),
  },
  {
    fn: setDefaultDirectory,
    action: "config:write",
    call: (w, a) => setDefaultDirectory(w.deps, a, w.fx.connections.database.name),
  },
  {
    fn: updateConnection,
    action: "config:write",
    call: (w, a) =>
      updateConnection(w.deps, a, w.fx.connections.partners.connectionId, {
        enabled_clients: [w.fx.clients.basic.name],
      }),
  },
  {
    fn: getConnection,
    action: "config:read",
    call: (w, a) => getConnection(w.deps, a, w.fx.connections.database.connectionId),
  },
  { fn: getApisView, action: "config:read", call: (w, a) => getApisView(w.deps, a) },
  {
    fn: createApi,
    action: "config:write",
    call: (w, a) =>
      createApi(w.deps, a, { name: `Perm API ${next()}`, identifier: `https://perm-${unique}.example/` }),
  },
  {
    fn: updateApi,
    action: "config:write",
    call: (w, a) => updateApi(w.deps, a, w.fx.apis.reports.identifier, { name: `Reports ${next()}` }),
  },
  { fn: getApi, action: "config:read", call: (w, a) => getApi(w.deps, a, w.fx.apis.orders.identifier) },
  // client-grants/
  { fn: listClientGrants, action: "config:read", call: (w, a) => listClientGrants(w.deps, a) },
  {
    fn: getApiClientGrants,
    action: "config:read",
    call: (w, a) => getApiClientGrants(w.deps, a, w.fx.apis.orders.identifier),
  },
  {
    fn: getApplicationClientGrants,
    action: "config:read",
    call: (w, a) => getApplicationClientGrants(w.deps, a, w.fx.clients.noPassword.clientId),
  },
  {
    fn: createClientGrant,
    action: "config:write",
    call: (w, a) =>
      createClientGrant(w.deps, a, {
        client_id: w.fx.clients.thirdParty.clientId,
        audience: w.fx.apis.orders.identifier,
        scope: ["read:orders"],
      }),
  },
  {
    fn: updateClientGrant,
    action: "config:write",
    call: (w, a) => updateClientGrant(w.deps, a, w.clientGrantId, { scope: [`read:orders`] }),
  },
  {
    fn: deleteClientGrant,
    action: "config:write",
    call: (w, a) => deleteClientGrant(w.deps, a, w.doomedClientGrantId),
  },
  // users.ts, create-user.ts, update-user.ts, set-user-password.ts
  { fn: findUsers, action: "users:read", call: (w, a) => findUsers(w.deps, a, { text: "alice" }) },
  { fn: getUsersScreen, action: "users:read", call: (w, a) => getUsersScreen(w.deps, a, {}) },
  {
    fn: getUserDetail,
    action: "users:read",
    call: (w, a) => getUserDetail(w.deps, a, w.fx.users.alice.userId),
  },
  {
    fn: setUserBlocked,
    action: "users:block",
    call: (w, a) => setUserBlocked(w.deps, a, w.fx.users.bcrypt.userId, true),
  },
  {
    fn: createUser,
    action: "users:write",
    call: (w, a) =>
      createUser(w.deps, a, {
        connection: w.fx.connections.customers.name,
        email: `perm-${next()}@example.com`,
        password: "a-long-enough-password-1",
      }),
  },
  {
    fn: updateUser,
    action: "users:write",
    call: (w, a) => updateUser(w.deps, a, w.fx.users.alice.userId, { name: `A ${next()}` }),
  },
  {
    fn: setUserPassword,
    action: "users:write",
    call: (w, a) => setUserPassword(w.deps, a, w.fx.users.partner.userId, "another-long-password-2"),
  },
  {
    fn: deleteUser,
    action: "users:write",
    call: (w, a) => deleteUser(w.deps, a, w.doomedUserId),
  },
  {
    fn: createPasswordChangeTicket,
    action: "users:write",
    call: (w, a) => createPasswordChangeTicket(w.deps, a, w.fx.users.partner.userId, {}),
  },
  // mfa.ts
  { fn: getMfaSettings, action: "config:read", call: (w, a) => getMfaSettings(w.deps, a) },
  {
    fn: saveMfaSettings,
    action: "config:write",
    call: (w, a) =>
      saveMfaSettings(w.deps, a, {
        policy: "never",
        otp: true,
        recoveryCode: true,
      }),
  },
  {
    fn: getUserAuthenticators,
    action: "users:read",
    call: (w, a) => getUserAuthenticators(w.deps, a, w.fx.users.alice.userId),
  },
  {
    fn: resetUserMfa,
    action: "mfa:reset",
    call: (w, a) => resetUserMfa(w.deps, a, w.fx.users.alice.userId),
  },
  // views.ts
  { fn: getOverview, action: "logs:read", call: (w, a) => getOverview(w.deps, a) },
  { fn: getLogsPage, action: "logs:read", call: (w, a) => getLogsPage(w.deps, a, { type: "sapi" }) },
  { fn: getLogDetail, action: "logs:read", call: (w, a) => getLogDetail(w.deps, a, "no-such-log") },
  { fn: getApplications, action: "config:read", call: (w, a) => getApplications(w.deps, a) },
  {
    fn: exportLogsStream,
    action: "logs:read",
    call: async (w, a) => new Response(exportLogsStream(w.deps, a, {}, "csv", 10)).text(),
  },
  // protection/
  {
    fn: getAttackProtection,
    action: "config:read",
    call: (w, a) => getAttackProtection(w.deps, a, "brute-force-protection"),
  },
  {
    fn: updateAttackProtection,
    action: "config:write",
    call: (w, a) => updateAttackProtection(w.deps, a, "breached-password-detection", { enabled: false }),
  },
  { fn: listBlocks, action: "logs:read", call: (w, a) => listBlocks(w.deps, a) },
  {
    fn: getUserBlocks,
    action: "users:read",
    call: (w, a) => getUserBlocks(w.deps, a, { userId: w.fx.users.alice.userId }),
  },
  {
    fn: getIpBlock,
    action: "logs:read",
    call: (w, a) => getIpBlock(w.deps, a, "203.0.113.9"),
    allowedStatus: 404,
  },
  { fn: listNotifications, action: "config:read", call: (w, a) => listNotifications(w.deps, a, { take: 5 }) },
  { fn: getProtectionView, action: "logs:read", call: (w, a) => getProtectionView(w.deps, a) },
  { fn: getAttackView, action: "logs:read", call: (w, a) => getAttackView(w.deps, a, "hour") },
  {
    fn: explainLockout,
    action: "logs:read",
    call: (w, a) => explainLockout(w.deps, a, w.fx.users.alice.userId),
  },
  {
    fn: unblockUser,
    action: "protection:unblock",
    call: (w, a) => unblockUser(w.deps, a, { identifier: "alice@example.com" }),
  },
  { fn: unblockIp, action: "protection:unblock", call: (w, a) => unblockIp(w.deps, a, "203.0.113.9") },
  // rules/
  { fn: listRules, action: "rules:read", call: (w, a) => listRules(w.deps, a) },
  { fn: getRule, action: "rules:read", call: (w, a) => getRule(w.deps, a, w.ruleId) },
  { fn: listRuleVersions, action: "rules:read", call: (w, a) => listRuleVersions(w.deps, a, w.ruleId) },
  { fn: diffRuleVersion, action: "rules:read", call: (w, a) => diffRuleVersion(w.deps, a, w.ruleId, 1) },
  { fn: listRuleSettings, action: "rules:read", call: (w, a) => listRuleSettings(w.deps, a) },
  { fn: getRulesNetwork, action: "rules:read", call: (w, a) => getRulesNetwork(w.deps, a) },
  {
    fn: createRule,
    action: "rules:write",
    call: (w, a) => createRule(w.deps, a, { name: `perm-${next()}`, script: script("new"), enabled: false }),
  },
  {
    fn: updateRule,
    action: "rules:write",
    call: (w, a) => updateRule(w.deps, a, w.ruleId, { script: script(`v${next()}`) }),
  },
  { fn: deleteRule, action: "rules:write", call: (w, a) => deleteRule(w.deps, a, w.doomedRuleId) },
  { fn: reorderRules, action: "rules:write", call: (w, a) => reorderRules(w.deps, a, { ids: [w.ruleId] }) },
  {
    fn: rollbackRule,
    action: "rules:write",
    call: (w, a) => rollbackRule(w.deps, a, w.ruleId, { version: 1 }),
  },
  {
    fn: setRuleSetting,
    action: "rules:write",
    call: (w, a) => setRuleSetting(w.deps, a, "PERM_KEY", { value: `value-${next()}` }),
  },
  {
    fn: deleteRuleSetting,
    action: "rules:write",
    call: (w, a) => deleteRuleSetting(w.deps, a, "DOOMED_KEY"),
  },
  { fn: tryRules, action: "rules:write", call: (w, a) => tryRules(w.deps, a, { script: script("try") }) },
  // actions/
  { fn: listActions, action: "actions:read", call: (w, a) => listActions(w.deps, a) },
  { fn: getAction, action: "actions:read", call: (w, a) => getAction(w.deps, a, w.actionId) },
  {
    fn: listActionVersions,
    action: "actions:read",
    call: (w, a) => listActionVersions(w.deps, a, w.actionId),
  },
  {
    fn: diffActionVersion,
    action: "actions:read",
    call: (w, a) => diffActionVersion(w.deps, a, w.actionId, 1),
  },
  { fn: getPostLoginFlow, action: "actions:read", call: (w, a) => getPostLoginFlow(w.deps, a) },
  {
    fn: createAction,
    action: "actions:write",
    call: (w, a) =>
      createAction(w.deps, a, { name: `perm-action-${next()}`, secrets: [{ name: "K", value: "v" }] }),
  },
  {
    fn: updateAction,
    action: "actions:write",
    call: (w, a) => updateAction(w.deps, a, w.actionId, { code: actionCode(`v${next()}`) }),
  },
  { fn: deployAction, action: "actions:write", call: (w, a) => deployAction(w.deps, a, w.actionId) },
  {
    fn: rollbackAction,
    action: "actions:write",
    call: (w, a) => rollbackAction(w.deps, a, w.actionId, 1),
  },
  {
    fn: updatePostLoginFlow,
    action: "actions:write",
    call: (w, a) =>
      updatePostLoginFlow(w.deps, a, { bindings: [{ ref: { type: "action_id", value: w.actionId } }] }),
  },
  { fn: deleteAction, action: "actions:write", call: (w, a) => deleteAction(w.deps, a, w.doomedActionId) },
  { fn: tryAction, action: "actions:write", call: (w, a) => tryAction(w.deps, a, w.actionId, {}) },
  {
    fn: setRulesNetwork,
    action: "config:write",
    call: (w, a) => setRulesNetwork(w.deps, a, { allowed_hosts: [] }),
  },
];

/**
 * Exported functions of server/admin that are not use cases, by `file#name`, and why they check no role. Anything
 * async (or taking `deps` first) that is neither here nor in TABLE fails the completeness check.
 */
const NOT_USE_CASES: Record<string, string> = {
  "accounts.ts#verifyAdminSignIn": "the sign-in itself: it establishes who the caller is",
  "accounts.ts#ensureFirstAdmin":
    "start-up bootstrap before any admin exists; creates the owner as CLI_ACTOR",
  "session.ts#getCurrentAdmin": "session plumbing: finds the caller",
  "session.ts#getPageAdmin": "session plumbing: the page guard",
  "session.ts#requireAdmin": "session plumbing: the route guard",
  "audit.ts#recordAdminChange": "writes the audit record inside a use case's transaction",
  "find-password-problem.ts#findPasswordProblem": "password policy shared by createUser and setUserPassword",
  "management-route.ts#respond": "route plumbing: shapes a use case's answer",
  "management-route.ts#readJsonObject": "route plumbing: reads the body",
  "rules-route.ts#readJsonBody": "route plumbing: reads the body",
  "read-admin-body.ts#readAdminBodyText": "route plumbing: reads the body under a cap",
  "read-admin-body.ts#readAdminJson": "route plumbing: reads the body under a cap",
  "protection/find-block-rows.ts#resolveBlockTarget": "helper of getUserBlocks and unblockUser",
  "protection/find-block-rows.ts#connectionNames": "helper of listBlocks and getUserBlocks",
  "attack-view/attack-partials.ts#readPartial": "helper of getAttackView: reads one stretch of the log",
  "attack-view/attack-partials.ts#readClosedDays": "helper of getAttackView: the closed days, cached",
  "lockout/account-causes.ts#adminBlockCause":
    "helper of explainLockout: reads one cause for a user it was given",
  "lockout/account-causes.ts#breachedPasswordCause":
    "helper of explainLockout: reads one cause for a user it was given",
  "lockout/account-causes.ts#mfaThrottleCause":
    "helper of explainLockout: reads one cause for a user it was given",
  "lockout/brute-force-causes.ts#bruteForceCauses":
    "helper of explainLockout: reads one cause for a user it was given",
  "lockout/ip-throttle-causes.ts#ipThrottleCauses":
    "helper of explainLockout: reads one cause for a user it was given",
  "rules/check-rule.ts#assertRuleCompiles": "helper of createRule and updateRule",
  "rules/record-rules-change.ts#recordRulesChange":
    "writes the audit record inside a rules use case's transaction",
  "rules/try-rules.ts#sampleRuleInput": "builds tryRules' sample user and context; reads nothing",
  "actions/action-json.ts#readActionJson": "shapes an action its use case has already read",
  "actions/check-action.ts#assertActionCompiles": "helper of createAction, updateAction and deployAction",
  "actions/record-actions-change.ts#recordActionsChange":
    "writes the audit record inside an actions use case's transaction",
  "actions/record-actions-change.ts#readActionSecretValues":
    "reads secret values for redaction inside an actions use case's transaction",
};

const ADMIN_DIR = dirname(fileURLToPath(import.meta.url));

/** Every non-test module under server/admin, by path relative to it. */
async function adminModules(): Promise<(readonly [string, Record<string, unknown>])[]> {
  const files = readdirSync(ADMIN_DIR, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
    .sort();
  return Promise.all(
    files.map(
      async (f) =>
        [f, (await import(pathToFileURL(join(ADMIN_DIR, f)).href)) as Record<string, unknown>] as const,
    ),
  );
}

/** Whether an export looks like a use case: an async function, or any function taking `deps` first. */
function isUseCaseShaped(value: unknown): value is (...args: unknown[]) => unknown {
  if (typeof value !== "function") return false;
  const source = Function.prototype.toString.call(value);
  if (/^class\b/.test(source)) return false;
  return (
    value.constructor.name === "AsyncFunction" || /^(async\s+)?function\s*\w*\s*\(\s*deps\b/.test(source)
  );
}

describe("the use-case permission table is complete", () => {
  it("every exported async (or deps-taking) function of server/admin is in the table or named as no use case", async () => {
    const inTable = new Set<unknown>(TABLE.map((e) => e.fn));
    const missing: string[] = [];
    const listed = new Set<string>();
    for (const [file, exports] of await adminModules()) {
      for (const [name, value] of Object.entries(exports)) {
        if (!isUseCaseShaped(value) || inTable.has(value)) continue;
        const key = `${file}#${name}`;
        if (key in NOT_USE_CASES) listed.add(key);
        else missing.push(key);
      }
    }
    expect(missing, "use cases without a permission entry (add them to TABLE)").toEqual([]);
    expect(
      Object.keys(NOT_USE_CASES).filter((k) => !listed.has(k)),
      "stale NOT_USE_CASES entries",
    ).toEqual([]);
  });

  it("names each use case once, each in some server/admin module", async () => {
    const exported = new Set<unknown>((await adminModules()).flatMap(([, m]) => Object.values(m)));
    expect(TABLE.filter((e) => !exported.has(e.fn)).map((e) => e.fn.name)).toEqual([]);
    expect(new Set(TABLE.map((e) => e.fn)).size).toBe(TABLE.length);
  });
});

/** A caller whose role no longer exists (a stored role this version does not know): never allowed anything. */
const UNKNOWN_ROLE: TAdmin = {
  ...adminOf("viewer"),
  id: "adm_gone",
  email: "gone@example.com",
  // A cast on purpose: the value the type forbids is exactly what is tested.
  role: "retired" as TRole,
};

/** Everyone who must be refused `action`: each role without it, an unknown role, and an owner still owing TOTP. */
function refusedCallers(action: TAction): [string, TAdmin][] {
  const callers: [string, TAdmin][] = ROLES.filter((r) => !canPerform(r, action)).map((r) => [r, adminOf(r)]);
  callers.push(["an unknown role", UNKNOWN_ROLE]);
  if (action !== "account:self")
    callers.push(["an owner who must still set up TOTP", { ...adminOf("owner"), mustEnrollTotp: true }]);
  return callers;
}

/** The least powerful role allowed `action` (the use case must not demand more than its route does). */
function leastAllowed(action: TAction): TAdmin {
  const role = [...ROLES].reverse().find((r) => canPerform(r, action));
  if (!role) throw new Error(`no role may ${action}`);
  return adminOf(role);
}

/** Every row of every table, to prove that a refused call changed nothing. */
async function snapshot(deps: TTestDeps): Promise<Record<string, string[]>> {
  const tables = await deps.db.all<{ name: string }>(
    deps.db.kind === "sqlite"
      ? `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_prisma%'`
      : `SELECT table_name AS name FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT LIKE '_prisma%'`,
  );
  const out: Record<string, string[]> = {};
  for (const { name } of tables) {
    const rows = await deps.db.all<Record<string, unknown>>(`SELECT * FROM "${name}"`);
    out[name] = rows
      .map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)))
      .sort();
  }
  return out;
}

describe.each(testDatabaseKinds())(
  "every admin use case checks the caller's permission itself (%s)",
  (kind) => {
    const w = {} as TWorld;
    beforeAll(async () => {
      w.deps = await createTestDeps(kind, RULES_TEST_ENV);
      w.fx = await seedFixture(w.deps);
      await createAdminAccount(w.deps, CLI_ACTOR, {
        email: "self@example.com",
        role: "viewer",
        password: "long-enough-password",
      });
      w.accountId = (await findAdminByEmail(w.deps.db, "self@example.com"))!.id;
      const owner = adminOf("owner");
      w.ruleId = (await createRule(w.deps, owner, { name: "perm-rule", script: script("v1") })).rule.id;
      await updateRule(w.deps, owner, w.ruleId, { script: script("v2") });
      w.doomedRuleId = (
        await createRule(w.deps, owner, { name: "doomed-rule", script: script("x") })
      ).rule.id;
      await setRuleSetting(w.deps, owner, "DOOMED_KEY", { value: "doomed" });
      w.doomedClientId = (
        await createApplication(w.deps, owner, {
          name: "Doomed App",
          app_type: "regular_web",
          is_first_party: true,
          token_endpoint_auth_method: "client_secret_post",
          grant_types: ["password"],
        })
      ).client_id;
      w.actionId = (
        await createAction(w.deps, owner, { name: "perm-action", code: actionCode("v1") })
      ).action.id;
      await deployAction(w.deps, owner, w.actionId);
      await updateAction(w.deps, owner, w.actionId, { code: actionCode("v2") });
      await deployAction(w.deps, owner, w.actionId);
      w.doomedActionId = (await createAction(w.deps, owner, { name: "doomed-action" })).action.id;
      w.clientGrantId = (
        await createClientGrant(w.deps, owner, {
          client_id: w.fx.clients.noPassword.clientId,
          audience: w.fx.apis.orders.identifier,
          scope: [],
        })
      ).id;
      w.doomedClientGrantId = (
        await createClientGrant(w.deps, owner, {
          client_id: w.fx.clients.noPassword.clientId,
          audience: w.fx.apis.reports.identifier,
          scope: ["read:reports"],
        })
      ).id;
      w.doomedUserId = (
        await createUser(w.deps, owner, {
          connection: w.fx.connections.customers.name,
          email: "doomed-user@example.com",
          password: "a-long-enough-password-1",
        })
      ).user_id;
    });
    afterAll(async () => w.deps?.cleanup());

    for (const entry of TABLE) {
      const refused = refusedCallers(entry.action);
      const allowed = leastAllowed(entry.action);
      it(`${entry.fn.name} (${entry.action}): refused (403) for ${refused.map(([who]) => who).join(", ")} with nothing changed; allowed for ${allowed.role}`, async () => {
        const before = await snapshot(w.deps);
        for (const [who, caller] of refused) {
          await expect(
            Promise.resolve().then(() => entry.call(w, caller)),
            who,
          ).rejects.toStrictEqual(AdminError.forbidden());
        }
        expect(await snapshot(w.deps)).toEqual(before);

        const outcome = await Promise.resolve()
          .then(() => entry.call(w, allowed))
          .then(
            () => "ok",
            (err: unknown) => (err instanceof AdminError ? err.status : err),
          );
        expect(outcome).toBe(entry.allowedStatus ?? "ok");
      });
    }
  },
);
