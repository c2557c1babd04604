import type { TDeps } from "../config/deps.ts";
import { POST_LOGIN } from "../actions/action-settings.ts";
import { listActions } from "../store/actions.ts";
import { findActionVersion } from "../store/action-versions.ts";
import { listActionSecretNames } from "../store/action-secrets.ts";
import { listFlowBindings } from "../store/flow-bindings.ts";
import type { TTenantFileOut } from "./tenant-schema.ts";
import { isDraftDeployed } from "./plan-actions.ts";

/**
 * A name as a directory name, the way auth0-deploy-cli makes one (its `sanitize`, the sanitize-filename package with
 * "-" for each character a file system refuses), so an export has the same layout as a0deploy's. Action names
 * already exclude / \ . and .., this keeps the layout portable (Windows) and never leaves actions/.
 */
export function sanitizeDirName(name: string): string {
  const clean = (s: string, r: string) =>
    s
      .replace(/[/?<>\\:*|"]/g, r)
      // eslint-disable-next-line no-control-regex -- control characters are exactly what is being removed
      .replace(/[\x00-\x1f\x80-\x9f]/g, r)
      .replace(/^\.+$/, r)
      .replace(/^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i, r)
      .replace(/[. ]+$/, r);
  const out = clean(clean(name, "-"), "");
  // 255 bytes at most, cut on a character boundary.
  let cut = out;
  while (Buffer.byteLength(cut, "utf8") > 255) cut = [...cut].slice(0, -1).join("");
  return cut || "action";
}

type TExportedActions = Pick<TTenantFileOut, "actions" | "triggers"> & { files: Record<string, string> };

/**
 * The actions as auth0-deploy-cli exports them: each draft's code in `./actions/<name>/code.js` beside the YAML,
 * `deployed: true` when the deployed version runs exactly the draft, secrets by name only (never a value, sealed or
 * plain), and the post-login flow in run order. Nothing when the tenant has no action.
 */
export async function exportActions(deps: Pick<TDeps, "db">): Promise<TExportedActions> {
  const rows = (await listActions(deps.db)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (rows.length === 0) return { files: {} };
  const files: Record<string, string> = {};
  const taken = new Set<string>();
  const actions: NonNullable<TTenantFileOut["actions"]> = [];
  for (const a of rows) {
    // Two names that differ only in characters a file system refuses get distinct directories.
    const base = sanitizeDirName(a.name);
    let dir = base;
    for (let n = 2; taken.has(dir.toLowerCase()); n++) dir = `${base}-${n}`;
    taken.add(dir.toLowerCase());
    const path = `./actions/${dir}/code.js`;
    files[path] = a.code;
    const deployed =
      a.deployedVersion === null ? null : await findActionVersion(deps.db, a.id, a.deployedVersion);
    const secrets = await listActionSecretNames(deps.db, a.id);
    // Keys in a0deploy's order (name first, then alphabetical), so a diff against its export stays small.
    actions.push({
      name: a.name,
      code: path,
      dependencies: a.dependencies,
      deployed: isDraftDeployed(a, deployed),
      runtime: a.runtime,
      secrets: secrets.map((s) => ({ name: s.name })),
      status: "built",
      supported_triggers: a.supportedTriggers,
    });
  }
  const bindings = await listFlowBindings(deps.db, POST_LOGIN);
  return {
    actions,
    triggers: {
      [POST_LOGIN]: bindings.map((b) => ({ action_name: b.actionName, display_name: b.displayName })),
    },
    files,
  };
}
