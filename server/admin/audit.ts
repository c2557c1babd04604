import type { TTx } from "../store/db.ts";
import { insertLogTx } from "../store/logs.ts";
import type { TAdmin } from "./session.ts";

/**
 * Record an admin change (Auth0's `sapi`) inside the transaction that makes it: who, what, and the values
 * before and after. Secrets in before/after are redacted by the log writer; callers also leave them out.
 */
export async function recordAdminChange(
  tx: TTx,
  at: Date,
  admin: Pick<TAdmin, "id" | "email" | "role">,
  change: { action: string; target: string; before?: unknown; after?: unknown; ip?: string },
): Promise<void> {
  await insertLogTx(
    tx,
    {
      type: "sapi",
      description: `${change.action} ${change.target}`,
      user_name: admin.email,
      ip: change.ip,
      details: {
        actor: { id: admin.id, email: admin.email, role: admin.role },
        action: change.action,
        target: change.target,
        before: change.before ?? null,
        after: change.after ?? null,
      },
    },
    at,
  );
}
