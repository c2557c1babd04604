import type { TRuleRecord } from "../../store/rules.ts";
import type { TActor } from "../audit.ts";

/** Who makes a rules change: the signed-in admin (or the API token, which acts as owner). */
export type TRulesActor = TActor;

/** A rule as the admin API shows it (Auth0 Management API field names, plus version and timestamps). */
export function toRuleJson(r: TRuleRecord) {
  return {
    id: r.id,
    name: r.name,
    script: r.script,
    order: r.order,
    enabled: r.enabled,
    stage: r.stage,
    version: r.version,
    created_at: r.createdAt.toISOString(),
    updated_at: r.updatedAt.toISOString(),
  };
}

export type TRuleJson = ReturnType<typeof toRuleJson>;

/** A rule as an admin audit record keeps it: everything that defines its behaviour, script included. */
export function toRuleAudit(r: TRuleRecord) {
  return {
    id: r.id,
    name: r.name,
    script: r.script,
    order: r.order,
    enabled: r.enabled,
    version: r.version,
  };
}
