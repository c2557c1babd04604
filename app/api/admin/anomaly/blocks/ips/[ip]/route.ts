import { withAdmin } from "@/server/admin/session";
import { lastPathSegment, respond } from "@/server/admin/management-route";
import { getIpBlock } from "@/server/admin/protection/get-ip-block";
import { unblockIp } from "@/server/admin/protection/unblock-ip";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/admin/anomaly/blocks/ips/{ip}: 200 when blocked, 404 when not. */
export const GET = withAdmin("logs:read", (req, deps, admin) =>
  respond(() => getIpBlock(deps, admin, lastPathSegment(req))),
);

/** DELETE /api/admin/anomaly/blocks/ips/{ip} */
export const DELETE = withAdmin("protection:unblock", (req, deps, admin) =>
  respond(() => unblockIp(deps, admin, lastPathSegment(req))),
);
