import { withRulesAdmin } from "@/server/admin/rules-route";
import { diffActionVersion } from "@/server/admin/actions/diff-action-version";
import { parseVersionNumber } from "@/server/admin/actions/parse-actions-input";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type P = { id: string; number: string };
export const GET = withRulesAdmin<P>("actions:read", async (_req, deps, { id, number }, admin) =>
  diffActionVersion(deps, admin, id, parseVersionNumber(number)),
);
