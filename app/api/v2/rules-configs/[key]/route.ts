import { withManagement } from "@/server/management/with-management";
import { deleteRulesConfig, putRulesConfig } from "@/server/management/rules-configs/rules-configs";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** PUT /api/v2/rules-configs/{key} (update:rules_configs) `{value}` → `{key, value}`. */
export const PUT = withManagement(["update:rules_configs"], (req, deps, caller, params) =>
  putRulesConfig(deps, caller, params.key ?? "", req),
);

/** DELETE /api/v2/rules-configs/{key} (delete:rules_configs). */
export const DELETE = withManagement(["delete:rules_configs"], (_req, deps, caller, params) =>
  deleteRulesConfig(deps, caller, params.key ?? ""),
);
