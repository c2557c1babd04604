import type { TDeps } from "../../config/deps.ts";
import { listNotifications as listRows } from "../../store/notifications.ts";
import { redactUnblockLinks } from "../../protection/unblock-link.ts";
import { assertAdminAllowed } from "../admin-access.ts";
import type { TActor } from "../audit.ts";

/**
 * The notification log / outbox, newest first: what was mailed, or what would have been without SMTP. Readable by
 * every admin role, so it never shows a working unblock link: new rows are stored without the token, and rows
 * written before that are redacted here.
 */
export async function listNotifications(
  deps: TDeps,
  admin: TActor,
  query: { take?: number; kind?: string } = {},
): Promise<{ notifications: Record<string, unknown>[] }> {
  assertAdminAllowed(admin, "config:read");
  const rows = await listRows(deps.db, query);
  return {
    notifications: rows.map((n) => ({
      id: n.id,
      created_at: n.createdAt.toISOString(),
      kind: n.kind,
      to: n.recipient,
      subject: n.subject,
      text: redactUnblockLinks(n.text),
      transport: n.transport,
      status: n.status,
      ...(n.error ? { error: n.error } : {}),
      ...(n.sentAt ? { sent_at: n.sentAt.toISOString() } : {}),
    })),
  };
}
