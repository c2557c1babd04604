import { withManagement } from "@/server/management/with-management";
import { deleteRuleById, getRuleById, updateRuleFromRequest } from "@/server/management/rules/rules";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/v2/rules/{id} (read:rules). */
export const GET = withManagement(["read:rules"], (req, deps, caller, params) =>
  getRuleById(deps, caller, params.id ?? "", new URL(req.url)),
);

/** PATCH /api/v2/rules/{id} (update:rules). */
export const PATCH = withManagement(["update:rules"], (req, deps, caller, params) =>
  updateRuleFromRequest(deps, caller, params.id ?? "", req),
);

/** DELETE /api/v2/rules/{id} (delete:rules). */
export const DELETE = withManagement(["delete:rules"], (_req, deps, caller, params) =>
  deleteRuleById(deps, caller, params.id ?? ""),
);
