import type { TLogEvent } from "../audit/events.ts";
import { insertLog } from "../store/logs.ts";
import type { TSqlRunner, TSqlWriter } from "../store/raw-sql.ts";
import type { TAdmin } from "./session.ts";

export type TActor = Pick<TAdmin, "id" | "email" | "role"> & Partial<Pick<TAdmin, "client">>;
export type TAdminChange = { action: string; target: string; before?: unknown; after?: unknown; ip?: string };

/** The operator at the server's shell (`npx portcullis …`): may do everything, like the admin API token. */
export const CLI_ACTOR: TActor = { id: "cli", email: "cli", role: "owner" };

/**
 * Who acted, as audit records name them: a Management API client as the client it is (Auth0 logs its client_id and
 * name), never as a role; a dashboard admin by id, email and role.
 */
export function auditActor(admin: TActor): Record<string, unknown> {
  return admin.client
    ? {
        kind: "client",
        client_id: admin.client.clientId,
        name: admin.client.name,
        scopes: admin.client.scopes,
      }
    : { id: admin.id, email: admin.email, role: admin.role };
}

function adminChangeEvent(admin: TActor, change: TAdminChange): TLogEvent {
  const actor = auditActor(admin);
  return {
    type: "sapi",
    description: `${change.action} ${change.target}`,
    user_name: admin.email,
    ...(admin.client ? { client_id: admin.client.clientId, client_name: admin.client.name } : {}),
    ip: change.ip,
    details: {
      actor,
      action: change.action,
      target: change.target,
      before: change.before ?? null,
      after: change.after ?? null,
    },
  };
}

/**
 * Record an admin change (Auth0's `sapi`) inside the transaction that makes it: who, what, and the values
 * before and after. Secrets in before/after are redacted by the log writer; callers also leave them out.
 */
export async function recordAdminChange(
  q: TSqlRunner | TSqlWriter,
  at: Date,
  admin: TActor,
  change: TAdminChange,
): Promise<void> {
  await insertLog(q, adminChangeEvent(admin, change), at);
}
