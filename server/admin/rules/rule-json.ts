import type { TRuleRecord } from "../../store/rules.ts";

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
