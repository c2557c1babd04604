import type { TLogEvent } from "../audit/events.ts";
import { insertLog } from "../store/logs.ts";
import type { TLoginFailureRow } from "../store/login-failures.ts";
import type { TSqlRunner } from "../store/raw-sql.ts";

export type TReleaseReason = "admin" | "admin_ip" | "password_change" | "unblock_link" | "threshold_raised";

const DESCRIPTIONS: Record<TReleaseReason, string> = {
  admin: "Block removed by an administrator",
  admin_ip: "Block removed by an administrator (IP unblocked)",
  password_change: "Block removed: the password was changed",
  unblock_link: "Block removed: the user followed the unblock link",
  threshold_raised: "Block removed: the brute-force threshold was raised above the count",
};

/**
 * Write one `ublkdu` record per released block (rows that were blocked), inside the transaction that released
 * them. Counter rows below the threshold are cleared silently: they were never blocks.
 */
export async function logReleasedBlocks(
  q: TSqlRunner,
  rows: TLoginFailureRow[],
  reason: TReleaseReason,
  at: Date,
  extra: Partial<TLogEvent> = {},
): Promise<number> {
  let released = 0;
  for (const row of rows) {
    if (!row.blockedAt) continue;
    released++;
    await insertLog(
      q,
      {
        ...extra,
        type: "ublkdu",
        description: DESCRIPTIONS[reason],
        user_name: row.identifier,
        connection_id: extra.connection_id,
        details: {
          reason,
          identifier: row.identifier,
          blocked_ip: row.ip || null,
          count: row.count,
          blocked_since: row.blockedAt.toISOString(),
        },
      },
      at,
    );
  }
  return released;
}
