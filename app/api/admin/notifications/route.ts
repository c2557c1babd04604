import { withAdmin } from "@/server/admin/session";
import { respond } from "@/server/admin/management-route";
import { listNotifications } from "@/server/admin/protection/list-notifications";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/admin/notifications?take=&kind=: the outbox / notification log, newest first. */
export const GET = withAdmin("config:read", (req, deps, admin) => {
  const q = new URL(req.url).searchParams;
  const take = Number(q.get("take") ?? "50");
  return respond(() =>
    listNotifications(deps, admin, {
      take: Number.isFinite(take) ? take : 50,
      kind: q.get("kind") ?? undefined,
    }),
  );
});
