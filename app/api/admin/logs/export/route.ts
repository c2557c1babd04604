import { withAdmin } from "@/server/admin/session";
import { exportLogsStream } from "@/server/admin/views";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = withAdmin("logs:read", async (req, deps, admin) => {
  const q = Object.fromEntries(new URL(req.url).searchParams);
  const format = q.format === "csv" ? "csv" : "ndjson";
  return new Response(exportLogsStream(deps, admin, q, format), {
    headers: {
      "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
      "content-disposition": `attachment; filename="portcullis-logs.${format === "csv" ? "csv" : "ndjson"}"`,
      "cache-control": "no-store",
    },
  });
});
