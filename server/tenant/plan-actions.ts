import type { TDeps } from "../config/deps.ts";
import {
  DEFAULT_ACTION_RUNTIME,
  DEFAULT_SUPPORTED_TRIGGERS,
  MAX_ACTION_SECRETS,
  POST_LOGIN,
  ZActionCode,
  ZActionSecrets,
} from "../actions/action-settings.ts";
import { checkActionCode } from "../actions/check-action-code.ts";
import {
  listActions,
  type TActionDependency,
  type TActionRecord,
  type TActionTrigger,
} from "../store/actions.ts";
import { findActionVersion, type TActionVersionRecord } from "../store/action-versions.ts";
import { listActionSecretsSealed } from "../store/action-secrets.ts";
import { listFlowBindings } from "../store/flow-bindings.ts";
import { zodProblems } from "../platform/zod-issues.ts";
import type { TTenantFile } from "./tenant-schema.ts";
import { findDuplicates, invalidFile, type TProblem } from "./read-tenant-file.ts";
import { readCodeFile } from "./read-code-file.ts";

// ─── Actions and the post-login flow: every decision and check before the first write ──────────────────────────

/**
 * The value auth0-deploy-cli writes for secrets it cannot read (its own example tenant lists action secrets with
 * it). Treated as "no value": the stored value is kept, never overwritten with the placeholder.
 */
export const HIDDEN_SECRET_VALUE = "_VALUE_NOT_SHOWN_";

/** The draft an action will have after the import. */
export type TActionDraft = {
  code: string;
  dependencies: TActionDependency[];
  runtime: string;
  supportedTriggers: TActionTrigger[];
};

export type TActionPlan = {
  name: string;
  /** The stored action, or null when the import creates it. */
  current: TActionRecord | null;
  draft: TActionDraft;
  isDraftChanged: boolean;
  /** Secrets whose value the file sets (new, or different from the stored one). */
  secretsToSet: { name: string; value: string }[];
  /** Every secret name the action will have (set by the file, or stored and kept). */
  secretNames: string[];
  /** Deploy the draft as a new version (the file says `deployed: true` and the deployed version differs). */
  shouldDeploy: boolean;
};

export type TActionsPlan = {
  actions: TActionPlan[];
  /** The post-login flow to write, in order; undefined when the file leaves it alone or it is already so. */
  flow: { actionName: string; displayName: string }[] | undefined;
};

type TRunnable = Pick<TActionDraft, "code" | "dependencies" | "runtime">;

/** Whether two drafts or versions run the same thing (code, dependencies, runtime). */
function isSameRunnable(a: TRunnable, b: TRunnable): boolean {
  const deps = (d: TActionDependency[]) => d.map((x) => `${x.name}@${x.version}`).join("\n");
  return a.code === b.code && a.runtime === b.runtime && deps(a.dependencies) === deps(b.dependencies);
}

/** Whether the deployed version runs exactly the draft: Auth0's `all_changes_deployed`. */
export function isDraftDeployed(draft: TRunnable, deployed: TActionVersionRecord | null): boolean {
  return deployed !== null && isSameRunnable(draft, deployed);
}

function isSameDraft(a: TActionDraft, b: TActionDraft): boolean {
  const triggers = (t: TActionTrigger[]) => JSON.stringify(t.map((x) => [x.id, x.version]));
  return isSameRunnable(a, b) && triggers(a.supportedTriggers) === triggers(b.supportedTriggers);
}

type TFileAction = NonNullable<TTenantFile["actions"]>[number];

async function planAction(
  deps: TDeps,
  a: TFileAction,
  i: number,
  ctx: {
    baseDir: string | undefined;
    stored: Map<string, TActionRecord>;
    sealed: { actionId: string; name: string; valueEnc: string }[];
    problems: TProblem[];
    unsupported: string[];
  },
): Promise<TActionPlan | null> {
  const path = `actions[${i}]`;
  const before = ctx.problems.length;
  const file = await readCodeFile(ctx.baseDir, a.code);
  let code = "";
  if (!file.ok) ctx.problems.push({ path: `${path}.code`, message: file.message });
  else if (!ZActionCode.safeParse(file.text).success)
    ctx.problems.push({ path: `${path}.code`, message: `${a.code.trim()} is larger than 100 KB` });
  else {
    code = file.text;
    const broken = await checkActionCode(deps, code);
    if (broken) {
      const at = broken.line ? ` (line ${broken.line}, column ${broken.column ?? 1})` : "";
      ctx.problems.push({
        path: `${path}.code`,
        message: `${a.code.trim()} does not compile${at}: ${broken.message}`,
      });
    }
  }
  const listed = a.secrets ?? [];
  // Checked with the shared secret rules (names, count, uniqueness, value size); a missing value stands in as "".
  const checked = ZActionSecrets.safeParse(listed.map((s) => ({ name: s.name, value: s.value ?? "" })));
  if (!checked.success) ctx.problems.push(...zodProblems(checked.error, ["actions", i, "secrets"]));
  if (ctx.problems.length > before) return null;

  const current = ctx.stored.get(a.name) ?? null;
  const storedSecrets = new Map(
    ctx.sealed.filter((s) => current && s.actionId === current.id).map((s) => [s.name, s.valueEnc]),
  );
  const secretsToSet: TActionPlan["secretsToSet"] = [];
  listed.forEach((s, j) => {
    const sealed = storedSecrets.get(s.name);
    if (s.value === undefined || s.value === HIDDEN_SECRET_VALUE) {
      // Exports carry names only; a stored secret keeps its value, a new one needs a value.
      if (sealed === undefined)
        ctx.unsupported.push(
          `${path}.secrets[${j}].value (missing: set "${s.name}" of action "${a.name}" through the admin API)`,
        );
      return;
    }
    if (sealed === undefined || deps.box.open("action-secret", sealed) !== s.value)
      secretsToSet.push({ name: s.name, value: s.value });
  });
  // Secrets the file does not list are kept (the importer never deletes), so the total counts them too.
  const secretNames = [...new Set([...storedSecrets.keys(), ...secretsToSet.map((s) => s.name)])].sort();
  if (secretNames.length > MAX_ACTION_SECRETS)
    ctx.problems.push({
      path: `${path}.secrets`,
      message: `action "${a.name}" would have ${secretNames.length} secrets with the stored ones; at most ${MAX_ACTION_SECRETS}`,
    });

  const draft: TActionDraft = {
    code,
    dependencies: a.dependencies ?? current?.dependencies ?? [],
    runtime: a.runtime ?? current?.runtime ?? DEFAULT_ACTION_RUNTIME,
    supportedTriggers: a.supported_triggers ?? current?.supportedTriggers ?? DEFAULT_SUPPORTED_TRIGGERS,
  };
  const deployed =
    current?.deployedVersion != null
      ? await findActionVersion(deps.db, current.id, current.deployedVersion)
      : null;
  return {
    name: a.name,
    current,
    draft,
    isDraftChanged: !current || !isSameDraft(current, draft),
    secretsToSet,
    secretNames,
    shouldDeploy: a.deployed === true && !isDraftDeployed(draft, deployed),
  };
}

/** The post-login flow the file asks for, checked against the actions there will be after the import. */
async function planFlow(
  deps: TDeps,
  file: TTenantFile,
  stored: Map<string, TActionRecord>,
  problems: TProblem[],
): Promise<TActionsPlan["flow"]> {
  const triggers = file.triggers;
  if (!triggers) return undefined;
  for (const [id, bindings] of Object.entries(triggers)) {
    if (id !== POST_LOGIN && bindings && bindings.length > 0)
      problems.push({
        path: `triggers.${id}`,
        message: `only the ${POST_LOGIN} flow exists here; leave ${id} out or empty`,
      });
  }
  if (!Object.hasOwn(triggers, POST_LOGIN)) return undefined;
  const bindings = triggers[POST_LOGIN] ?? [];
  for (const [name, j] of findDuplicates(bindings.map((b) => b.action_name)))
    problems.push({ path: `triggers.${POST_LOGIN}[${j}].action_name`, message: `"${name}" is bound twice` });
  const fileActions = new Map((file.actions ?? []).map((a) => [a.name, a]));
  bindings.forEach((b, j) => {
    const inFile = fileActions.get(b.action_name);
    const current = stored.get(b.action_name);
    if (!inFile && !current) {
      problems.push({
        path: `triggers.${POST_LOGIN}[${j}].action_name`,
        message: `no action named "${b.action_name}"`,
      });
    } else if (inFile?.deployed !== true && current?.deployedVersion == null) {
      problems.push({
        path: `triggers.${POST_LOGIN}[${j}].action_name`,
        message: `action "${b.action_name}" is not deployed; only deployed actions can be bound (set deployed: true on it)`,
      });
    }
  });
  const flow = bindings.map((b) => ({
    actionName: b.action_name,
    displayName: b.display_name ?? b.action_name,
  }));
  // Bindings name their actions, so a flow naming an action the import creates never equals the stored one.
  const now = await listFlowBindings(deps.db, POST_LOGIN);
  const same =
    now.length === flow.length &&
    now.every((b, k) => b.actionName === flow[k]!.actionName && b.displayName === flow[k]!.displayName);
  return same ? undefined : flow;
}

/**
 * Read every action's code file, validate it (shared action rules, compile check in the sandbox), and decide what
 * the import writes: drafts, secrets, deploys and the post-login flow. Throws listing every problem; `unsupported`
 * gets the secrets listed without a value that have no stored value either.
 */
export async function planActions(
  deps: TDeps,
  file: TTenantFile,
  baseDir: string | undefined,
  unsupported: string[],
): Promise<TActionsPlan> {
  const problems: TProblem[] = [];
  const actions = file.actions ?? [];
  for (const [name, i] of findDuplicates(actions.map((a) => a.name)))
    problems.push({ path: `actions[${i}].name`, message: `"${name}" appears more than once` });
  const [storedList, sealed] = await Promise.all([listActions(deps.db), listActionSecretsSealed(deps.db)]);
  const stored = new Map(storedList.map((a) => [a.name, a]));
  const planned: TActionPlan[] = [];
  for (const [i, a] of actions.entries()) {
    const p = await planAction(deps, a, i, { baseDir, stored, sealed, problems, unsupported });
    if (p) planned.push(p);
  }
  const flow = await planFlow(deps, file, stored, problems);
  if (problems.length > 0) throw invalidFile(problems);
  return { actions: planned, flow };
}
