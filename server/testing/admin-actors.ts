import { listLogs, type TLogRecord } from "../store/logs.ts";
import type { TDeps } from "../config/deps.ts";
import type { TRole } from "../admin/roles.ts";
import type { TAdmin } from "../admin/session.ts";

/** A signed-in dashboard admin of `role`, as withAdmin hands it to a use case. */
export function adminOf(role: TRole): TAdmin {
  return { id: `adm_${role}`, email: `${role}@example.com`, role, totpEnabled: false };
}

/** The newest admin-change (`sapi`) record of `action`, if any. */
export async function lastAdminChange(deps: TDeps, action: string): Promise<TLogRecord | undefined> {
  return (await listLogs(deps.db, { type: "sapi", take: 1000 })).find((l) => l.details?.action === action);
}

/** How many admin-change records exist (to prove a refused change recorded nothing). */
export async function countAdminChanges(deps: TDeps): Promise<number> {
  const rows = await deps.db.all<{ n: number | string }>(
    `SELECT COUNT(*) AS n FROM "LogEvent" WHERE "type" = ?`,
    ["sapi"],
  );
  return Number(rows[0]?.n ?? 0);
}
