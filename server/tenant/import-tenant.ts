import type { TDeps } from "../config/deps.ts";
import { CLI_ACTOR, type TActor } from "../admin/audit.ts";
import { readTenantFile } from "./read-tenant-file.ts";
import { planImport } from "./plan-import.ts";
import { planRules } from "./import-rules.ts";
import { planActions } from "./plan-actions.ts";
import { applyImport, type TTenantImportReport } from "./apply-import.ts";

export type { TTenantFile, TTenantFileOut } from "./tenant-schema.ts";
export type { TGeneratedCredential } from "./plan-import.ts";
export type { TTenantImportReport } from "./apply-import.ts";

/**
 * Apply a tenant file in auth0-deploy-cli YAML format, idempotently: clients and databases are matched by name,
 * resource servers by identifier, actions by name (code read from the files the YAML names, beside it), and fields
 * the file leaves out keep their stored values. The whole file is
 * validated (schema, references, conflicts with stored objects) before anything is written; an invalid file throws
 * an Error listing every problem and changes nothing. Unsupported keys are reported, never silently dropped.
 */
export async function importTenant(
  deps: TDeps,
  yamlText: string,
  opts: { baseDir?: string; actor?: TActor } = {},
): Promise<TTenantImportReport> {
  const actor = opts.actor ?? CLI_ACTOR;
  const { file, unsupported } = readTenantFile(yamlText);
  const plan = await planImport(deps, file, unsupported);
  const rulesPlan = await planRules(deps, file, opts.baseDir);
  const actionsPlan = await planActions(deps, file, opts.baseDir, plan.unsupported);
  return applyImport(deps, actor, plan, rulesPlan, actionsPlan, file.attackProtection);
}
